# cmake -DMODE=find_package|add_subdirectory ... -P run_consumer.cmake
# find_package: installs the already-built eventwire into a fresh prefix, then builds and runs the
# consumer against that prefix only. add_subdirectory: builds the consumer with eventwire's source
# tree as a subdirectory.
function(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGV}")
  endif()
endfunction()

set(consumer_dir ${WORK_DIR}/${MODE})
file(REMOVE_RECURSE ${consumer_dir})
set(configure_args -G ${GENERATOR} -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
    "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${LINKER_FLAGS}")

if(MODE STREQUAL "find_package")
  set(prefix ${consumer_dir}/prefix)
  run(${CMAKE_COMMAND} --install ${EVENTWIRE_BUILD_DIR} --prefix ${prefix})
  # Only the fresh prefix: the consumer must not see the build or source tree.
  run(${CMAKE_COMMAND} -S ${CMAKE_CURRENT_LIST_DIR}/find_package -B ${consumer_dir}/build
      ${configure_args} -DCMAKE_PREFIX_PATH=${prefix})
else()
  run(${CMAKE_COMMAND} -S ${CMAKE_CURRENT_LIST_DIR}/add_subdirectory -B ${consumer_dir}/build
      ${configure_args} -DEVENTWIRE_SOURCE_DIR=${EVENTWIRE_SOURCE_DIR})
endif()
run(${CMAKE_COMMAND} --build ${consumer_dir}/build)
run(${consumer_dir}/build/consumer)
