# The layering test (README "Architecture"): a header or source file of layer L may include rtv headers of L and of
# the layers below it only. Layers, bottom up: core; nets (core); radon (core, nets); solvers (core, nets);
# io (core, nets); check (core, nets, radon, solvers). Library files may not include the umbrella rtv/rtv.hpp, nor an rtv header outside the layer
# folders. Run: cmake -DROOT=<source tree> -DWORK=<scratch folder> -P layering.cmake.
# Before the real tree it checks itself on two scratch trees: a clean one must pass and one with a single upward
# include (core -> nets, the mistake random.hpp -> network.hpp once made) must be reported, so that a checker that
# matches nothing cannot pass.
cmake_minimum_required(VERSION 3.18)

set(allowed_core core)
set(allowed_nets core nets)
set(allowed_radon core nets radon)
set(allowed_solvers core nets solvers)
set(allowed_io core nets io)
set(allowed_check core nets radon solvers check)
set(layers core nets radon solvers io check)

# check_tree(root out_var): out_var = list of "file: includes rtv/<layer>/..." violations.
function(check_tree root out_var)
  set(bad "")
  set(n_files 0)
  foreach(layer IN LISTS layers)
    file(GLOB_RECURSE files ${root}/lib/include/rtv/${layer}/*.hpp ${root}/lib/include/rtv/${layer}/*.in
                             ${root}/lib/src/${layer}/*.cpp ${root}/lib/src/${layer}/*.hpp)
    foreach(f IN LISTS files)
      math(EXPR n_files "${n_files} + 1")
      file(STRINGS ${f} incs REGEX "^[ \t]*#[ \t]*include[ \t]*[\"<]rtv/")
      foreach(inc IN LISTS incs)
        string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*[\"<](rtv/[^\">]*)[\">].*" "\\1" path "${inc}")
        file(RELATIVE_PATH rel ${root} ${f})
        if(path MATCHES "^rtv/([a-z_]+)/")
          set(target ${CMAKE_MATCH_1})
          if(NOT target IN_LIST allowed_${layer})
            list(APPEND bad "${rel} (layer ${layer}) includes ${path} (layer ${target})")
          endif()
        else()
          list(APPEND bad "${rel} (layer ${layer}) includes ${path}, which is in no layer")
        endif()
      endforeach()
    endforeach()
  endforeach()
  set(${out_var} "${bad}" PARENT_SCOPE)
  set(${out_var}_files ${n_files} PARENT_SCOPE)
endfunction()

# ---- self-test on scratch trees ----
file(REMOVE_RECURSE ${WORK})
file(WRITE ${WORK}/good/lib/include/rtv/core/a.hpp "#include <vector>\n")
file(WRITE ${WORK}/good/lib/include/rtv/nets/b.hpp "#include \"rtv/core/a.hpp\"\n")
file(WRITE ${WORK}/good/lib/src/io/c.cpp "  #include \"rtv/nets/b.hpp\"\n#include \"rtv/io/c.hpp\"\n")
check_tree(${WORK}/good good_bad)
if(good_bad)
  message(FATAL_ERROR "layering self-test: a clean tree was reported: ${good_bad}")
endif()
file(COPY ${WORK}/good/lib DESTINATION ${WORK}/bad)
file(WRITE ${WORK}/bad/lib/include/rtv/core/a.hpp "#include <vector>\n#include \"rtv/nets/b.hpp\"\n")
file(WRITE ${WORK}/bad/lib/src/radon/d.cpp "#include <rtv/solvers/e.hpp>\n")
file(WRITE ${WORK}/bad/lib/src/nets/e.cpp "#include \"rtv/rtv.hpp\"\n")
check_tree(${WORK}/bad bad_bad)
list(LENGTH bad_bad n_bad)
if(NOT n_bad EQUAL 3)
  message(FATAL_ERROR "layering self-test: 3 upward includes planted, ${n_bad} reported: ${bad_bad}")
endif()

# ---- the real tree ----
check_tree(${ROOT} violations)
if(violations_files LESS 40)
  message(FATAL_ERROR "layering: only ${violations_files} library files found under ${ROOT}/lib (moved?)")
endif()
if(violations)
  string(REPLACE ";" "\n  " text "${violations}")
  message(FATAL_ERROR "layering: includes that run up the layers:\n  ${text}")
endif()
message(STATUS "layering: ${violations_files} library files, every rtv include within its layer or below")
