# Helpers shared by every component folder.
#
# ota_component(NAME <lib> [DEPS <libs...>] [DEFS <defs...>])
#   builds src/*.c of the current folder into a static library whose public
#   headers are include/, and one cmocka test executable per test/test_*.c.
function(ota_component)
    cmake_parse_arguments(C "" "NAME" "DEPS;TEST_DEPS;DEFS" ${ARGN})
    file(GLOB _srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/src/*.c)
    add_library(${C_NAME} STATIC ${_srcs})
    target_include_directories(${C_NAME} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
                                         PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
    if(C_DEPS)
        target_link_libraries(${C_NAME} PUBLIC ${C_DEPS})
    endif()
    if(C_DEFS)
        target_compile_definitions(${C_NAME} PRIVATE ${C_DEFS})
    endif()
    ota_unit_tests(${C_NAME} ${C_TEST_DEPS})
endfunction()

# One cmocka executable per test/test_*.c, linked with the component.
function(ota_unit_tests lib)
    file(GLOB _tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/test/test_*.c)
    foreach(_t ${_tests})
        get_filename_component(_n ${_t} NAME_WE)
        set(_exe ${lib}_${_n})
        add_executable(${_exe} ${_t})
        set_target_properties(${_exe} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
        target_include_directories(${_exe} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src
                                                   ${CMAKE_CURRENT_SOURCE_DIR}/test)
        target_compile_definitions(${_exe} PRIVATE _GNU_SOURCE
            OTA8266_SOURCE_DIR="${PROJECT_SOURCE_DIR}" OTA8266_BINARY_DIR="${CMAKE_BINARY_DIR}")
        target_link_libraries(${_exe} PRIVATE ${lib} ${ARGN} ${CMOCKA_LIB})
        add_test(NAME ${_exe} COMMAND ${_exe} WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
    endforeach()
endfunction()
