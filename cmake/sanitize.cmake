# RTV_SANITIZE (make sanitize): every target of the build, the tests and the Python module compiled and linked with
# AddressSanitizer + UndefinedBehaviorSanitizer, any report fatal (-fno-sanitize-recover=all: a UBSan finding
# fails its test instead of scrolling past), frame pointers kept for readable stacks, -O2 -g (after the build
# type's -O3, so it wins; NDEBUG stays as in Release: the tests see the same library as users do). -O2, not -O1:
# Eigen's expression templates need inlining; at -O1 the quick harness's W4 took 388-571 s, at -O2 296 s.
# RTV_SANITIZE_FLAGS is also handed to the projects that tests/consumer builds against the installed tree (a
# sanitized static librtv.a needs the sanitizer runtime in the consumer's link).
option(RTV_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer (make sanitize)" OFF)
set(RTV_SANITIZE_FLAGS "")
if(RTV_SANITIZE)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    message(FATAL_ERROR "RTV_SANITIZE needs GCC or Clang (found ${CMAKE_CXX_COMPILER_ID})")
  endif()
  set(RTV_SANITIZE_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_compile_options(${RTV_SANITIZE_FLAGS} -O2 -g)
  add_link_options(-fsanitize=address,undefined)
  # What an uninstrumented host (Debian's python3) must preload before the module: the ASan runtime, and
  # libstdc++ with it. python3 does not link libstdc++, so without it ASan starts before libstdc++ is loaded, finds
  # no __cxa_throw to intercept, and the first C++ exception (an InputError for Python's ValueError) dies in
  # "CHECK failed: asan_interceptors.cpp: real___cxa_throw != 0".
  execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=libasan.so
                  OUTPUT_VARIABLE RTV_ASAN_RUNTIME OUTPUT_STRIP_TRAILING_WHITESPACE)
  execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=libstdc++.so.6
                  OUTPUT_VARIABLE RTV_STDCXX_RUNTIME OUTPUT_STRIP_TRAILING_WHITESPACE)
  set(RTV_SANITIZE_PRELOAD "${RTV_ASAN_RUNTIME}:${RTV_STDCXX_RUNTIME}")
endif()
