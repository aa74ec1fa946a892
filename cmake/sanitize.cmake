# RTV_SANITIZE (make sanitize): every target of the build, the tests and the Python module compiled and linked with
# AddressSanitizer + UndefinedBehaviorSanitizer, any report fatal (-fno-sanitize-recover=all: a UBSan finding
# fails its test instead of scrolling past), frame pointers kept for readable stacks, -O1 -g (after the build
# type's -O3, so it wins; NDEBUG stays as in Release: the tests see the same library as users do).
# RTV_SANITIZE_FLAGS is also handed to the projects that tests/consumer builds against the installed tree (a
# sanitized static librtv.a needs the sanitizer runtime in the consumer's link).
option(RTV_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer (make sanitize)" OFF)
set(RTV_SANITIZE_FLAGS "")
if(RTV_SANITIZE)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    message(FATAL_ERROR "RTV_SANITIZE needs GCC or Clang (found ${CMAKE_CXX_COMPILER_ID})")
  endif()
  set(RTV_SANITIZE_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_compile_options(${RTV_SANITIZE_FLAGS} -O1 -g)
  add_link_options(-fsanitize=address,undefined)
  # The shared runtime that an uninstrumented host (Debian's python3) must preload before the module.
  execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=libasan.so
                  OUTPUT_VARIABLE RTV_ASAN_RUNTIME OUTPUT_STRIP_TRAILING_WHITESPACE)
endif()
