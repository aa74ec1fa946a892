# ctest junit_schema: JUnit files rtv writes validate against tests/junit/junit.xsd with xmllint (libxml2-utils):
#   (1) rtv-verify --quick --claim W1 --junit (a real run, ~0.1 s),
#   (2) rtv_tests' Junit.HostileFile (XML metacharacters, forbidden control characters, invalid UTF-8 in every
#       string the writer takes, a failed case),
#   (3) test_harness's HarnessJunit test (a harness run with a failed claim and one that throws),
#   (4) rtv check --junit on a PyTorch fixture that holds and on one that fails,
# after checking that the check can fail: files planted with one defect each (derived from (1), so that nothing
# else differs) must be rejected. Run: cmake -DXMLLINT=... -DXSD=... -DVERIFY=<rtv-verify> -DTEST_JUNIT=<rtv_tests>
# -DTEST_HARNESS=<test_harness> -DCLI=<rtv> -DFIXTURES=<data/fixtures> -DWORK=<scratch folder> -P run.cmake.
cmake_minimum_required(VERSION 3.18)
if(NOT XMLLINT)
  message(FATAL_ERROR "xmllint not found: install Debian's libxml2-utils (make deps does)")
endif()
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

# validate(file out_var): out_var = TRUE iff xmllint accepts the file against the schema.
function(validate file out_var)
  execute_process(COMMAND ${XMLLINT} --noout --nonet --schema ${XSD} ${file}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(rc EQUAL 0)
    set(${out_var} TRUE PARENT_SCOPE)
  else()
    set(${out_var} FALSE PARENT_SCOPE)
    message(STATUS "xmllint rejects ${file}: ${err}")
  endif()
endfunction()

# (1) a real rtv-verify run.
execute_process(COMMAND ${VERIFY} --quick --claim W1 --seed 2301 --out ${WORK}/out --junit ${WORK}/verify.xml
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT EXISTS ${WORK}/verify.xml)
  message(FATAL_ERROR "rtv-verify --junit failed (${rc}): ${err}")
endif()
file(READ ${WORK}/verify.xml good)
foreach(want "tests=\"1\" failures=\"0\"" "<testcase name=\"W1 rescaling-invariance\" classname=\"rtv-verify.claims\""
             "&lt;= " "<property name=\"seed\" value=\"2301\"/>")
  string(FIND "${good}" "${want}" pos)
  if(pos EQUAL -1)
    message(FATAL_ERROR "${WORK}/verify.xml lacks '${want}'")
  endif()
endforeach()

# The check can fail: one defect (no ';' in these: it would split the CMake list) per planted file, each of which a CI server's parser would choke on or misread.
string(ASCII 1 ctrl)
set(plants
  "classname=\"rtv-verify.claims\" " ""            # a testcase without classname (schema: required)
  "tests=\"1\" failures=\"0\"" "tests=\"one\" failures=\"0\""  # a count that is not a number
  "skipped=\"0\" " ""                              # a testsuite without skipped
  "<system-out>" "<system-out>a < b "              # an unescaped '<' (not well-formed)
  "<system-out>" "<system-out>R&D "                # an unescaped '&' (not well-formed)
  "<system-out>" "<system-out>${ctrl}"             # a raw U+0001 (XML 1.0 forbids it)
  "<properties>" "<property name=\"x\" value=\"y\"/><properties>"  # an element out of place
  "<system-out>" "<bogus/><system-out>"            # an unknown element in a testcase
)
list(LENGTH plants n)
math(EXPR last "${n} - 1")
set(i 0)
foreach(k RANGE 0 ${last} 2)
  math(EXPR v "${k} + 1")
  list(GET plants ${k} from)
  list(GET plants ${v} to)
  string(FIND "${good}" "${from}" pos)
  if(pos EQUAL -1)
    message(FATAL_ERROR "planting: '${from}' is not in ${WORK}/verify.xml")
  endif()
  string(REPLACE "${from}" "${to}" bad "${good}")
  file(WRITE ${WORK}/planted${i}.xml "${bad}")
  validate(${WORK}/planted${i}.xml ok)
  if(ok)
    message(FATAL_ERROR "xmllint accepted planted${i}.xml ('${from}' -> '${to}'): the schema check cannot fail")
  endif()
  math(EXPR i "${i} + 1")
endforeach()
# A file with exponent-notation time (xs:decimal has none).
string(REGEX REPLACE "time=\"[0-9.]+\"" "time=\"1e-05\"" bad "${good}")
file(WRITE ${WORK}/planted_time.xml "${bad}")
validate(${WORK}/planted_time.xml ok)
if(ok)
  message(FATAL_ERROR "xmllint accepted a time in exponent notation: the schema check cannot fail")
endif()

validate(${WORK}/verify.xml ok)
if(NOT ok)
  message(FATAL_ERROR "rtv-verify's JUnit file does not validate")
endif()

# (2) hostile strings through the writer.
execute_process(COMMAND ${CMAKE_COMMAND} -E env RTV_JUNIT_HOSTILE_OUT=${WORK}/hostile.xml
                        ${TEST_JUNIT} --gtest_filter=Junit.HostileFile RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT EXISTS ${WORK}/hostile.xml)
  message(FATAL_ERROR "rtv_tests --gtest_filter=Junit.HostileFile failed (${rc}): ${out}")
endif()
validate(${WORK}/hostile.xml ok)
if(NOT ok)
  message(FATAL_ERROR "the hostile-strings JUnit file does not validate")
endif()
# (3) a harness run with a failing claim and a claim that throws (test_harness's HarnessJunit test).
execute_process(COMMAND ${CMAKE_COMMAND} -E env RTV_JUNIT_HARNESS_OUT=${WORK}/harness.xml
                        ${TEST_HARNESS} --gtest_filter=HarnessJunit.* RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT EXISTS ${WORK}/harness.xml)
  message(FATAL_ERROR "test_harness --gtest_filter=HarnessJunit.* failed (${rc}): ${out}")
endif()
validate(${WORK}/harness.xml ok)
if(NOT ok)
  message(FATAL_ERROR "the JUnit file of a run with failed claims does not validate")
endif()
# (4) rtv check --junit on two PyTorch fixtures (data/fixtures/check): one whose diagnostics hold (exit 0) and the
# network trained with weight decay on every parameter, whose balance and stationarity fail (exit 1).
foreach(case "sgd_weights_only_d1|0|failures=\"0\"" "sgd_all_params_d2|1|<failure message=\"Balance: measured")
  string(REPLACE "|" ";" parts "${case}")
  list(GET parts 0 name)
  list(GET parts 1 want_rc)
  list(GET parts 2 want)
  execute_process(COMMAND ${CLI} check ${FIXTURES}/check/${name}.npz ${FIXTURES}/check/${name}.csv --no-optimum
                          --junit ${WORK}/check_${name}.xml RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
  if(NOT rc EQUAL want_rc OR NOT EXISTS ${WORK}/check_${name}.xml)
    message(FATAL_ERROR "rtv check --junit on ${name}: exit ${rc} (expected ${want_rc}): ${err}")
  endif()
  file(READ ${WORK}/check_${name}.xml xml)
  string(FIND "${xml}" "${want}" pos)
  if(pos EQUAL -1)
    message(FATAL_ERROR "${WORK}/check_${name}.xml lacks '${want}'")
  endif()
  validate(${WORK}/check_${name}.xml ok)
  if(NOT ok)
    message(FATAL_ERROR "rtv check's JUnit file for ${name} does not validate")
  endif()
endforeach()
message(STATUS "junit_schema: rtv-verify's, rtv check's, the hostile and the failed-claims files validate; ${i} + 1 planted defects rejected")
file(REMOVE_RECURSE ${WORK})
