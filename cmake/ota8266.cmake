if(NOT OTA8266_ROOT)
    get_filename_component(OTA8266_ROOT ${CMAKE_CURRENT_LIST_DIR}/.. ABSOLUTE)
endif()
if(NOT OTA8266_FLASH_MODE)
    set(OTA8266_FLASH_MODE dio)
endif()
if(NOT OTA8266_FLASH_FREQ)
    set(OTA8266_FLASH_FREQ 40m)
endif()

# Helpers shared by every component folder.
#
# ota_component(NAME <lib> [DEPS <libs...>] [DEFS <defs...>])
#   builds src/*.c of the current folder into a static library whose public
#   headers are include/, and one cmocka test executable per test/test_*.c.
function(ota_component)
    cmake_parse_arguments(C "" "NAME" "DEPS;TEST_DEPS;DEFS" ${ARGN})
    file(GLOB _srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/src/*.c)
    if(NOT _srcs)
        # a component still being written: an empty library keeps the tree configurable
        set(_srcs ${OTA8266_ROOT}/cmake/empty.c)
    endif()
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
# Per-project builds (make/app) set OTA8266_UNIT_TESTS to OFF.
function(ota_unit_tests lib)
    if(DEFINED OTA8266_UNIT_TESTS AND NOT OTA8266_UNIT_TESTS)
        return()
    endif()
    file(GLOB _tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/test/test_*.c)
    foreach(_t ${_tests})
        ota_unit_test(${lib} ${_t} ${ARGN})
    endforeach()
endfunction()

# ota_unit_test(<lib> <file> [<libs>...]): one cmocka executable <lib>_<name>.
function(ota_unit_test lib file)
    get_filename_component(_n ${file} NAME_WE)
    set(_exe ${lib}_${_n})
    add_executable(${_exe} ${file})
    set_target_properties(${_exe} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
    target_include_directories(${_exe} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src
                                               ${CMAKE_CURRENT_SOURCE_DIR}/test)
    target_compile_definitions(${_exe} PRIVATE _GNU_SOURCE
        OTA8266_SOURCE_DIR="${OTA8266_ROOT}" OTA8266_BINARY_DIR="${CMAKE_BINARY_DIR}")
    target_link_libraries(${_exe} PRIVATE ${lib} ${ARGN} ${CMOCKA_LIB})
    add_test(NAME ${_exe} COMMAND ${_exe} WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
endfunction()

# ota_sdkconfig_header(<config file> <header>)
#   the sdkconfig.h of a configuration written in sdkconfig syntax
#   (CONFIG_X=y, CONFIG_X=value, "# CONFIG_X is not set"), as genconfig
#   writes it for a project; each option is #undef'd first, so that a
#   variant's header forced in after the build's own one wins.
function(ota_sdkconfig_header cfg out)
    file(STRINGS ${cfg} _lines)
    set(_h "/* Generated from ${cfg}: edit that file, not this one. */\n")
    foreach(_l IN LISTS _lines)
        if(_l MATCHES "^(CONFIG_[A-Za-z0-9_]+)=(.*)$")
            set(_v "${CMAKE_MATCH_2}")
            string(APPEND _h "#undef ${CMAKE_MATCH_1}\n")
            if(_v STREQUAL "y")
                string(APPEND _h "#define ${CMAKE_MATCH_1} 1\n")
            elseif(NOT _v STREQUAL "n")
                string(APPEND _h "#define ${CMAKE_MATCH_1} ${_v}\n")
            endif()
        elseif(_l MATCHES "^# (CONFIG_[A-Za-z0-9_]+) is not set")
            string(APPEND _h "#undef ${CMAKE_MATCH_1}\n")
        endif()
    endforeach()
    # Rewritten only when it changes, so a reconfigure does not rebuild everything.
    file(WRITE ${out}.new "${_h}")
    configure_file(${out}.new ${out} COPYONLY)
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${cfg})
endfunction()

# ota_force_include(<target> <header>): <header> is read before every source
# of <target>, after the build's own sdkconfig.h (kept as one option: CMake
# de-duplicates a repeated bare "-include").
function(ota_force_include target header)
    target_compile_options(${target} PRIVATE "SHELL:-include ${header}")
endfunction()

# ota_component_variant(<lib> <variant> <config file>)
#   <lib>_<variant>: the component compiled again with that configuration
#   forced in after the build's own, for the apps and tests of a build
#   variant (ESP-IDF keeps such variants as sdkconfig.ci.* files).
function(ota_component_variant lib variant cfg)
    set(_out ${lib}_${variant})
    set(_h ${CMAKE_BINARY_DIR}/config/${_out}/sdkconfig.h)
    ota_sdkconfig_header(${cfg} ${_h})
    get_target_property(_srcs ${lib} SOURCES)
    get_target_property(_libs ${lib} LINK_LIBRARIES)
    add_library(${_out} STATIC ${_srcs})
    target_include_directories(${_out}
        PUBLIC $<TARGET_PROPERTY:${lib},INTERFACE_INCLUDE_DIRECTORIES>
        PRIVATE $<TARGET_PROPERTY:${lib},INCLUDE_DIRECTORIES>)
    target_compile_definitions(${_out} PRIVATE $<TARGET_PROPERTY:${lib},COMPILE_DEFINITIONS>)
    if(_libs)
        target_link_libraries(${_out} PUBLIC ${_libs})
    endif()
    ota_force_include(${_out} ${_h})
endfunction()

# ota_image(<target> ELF <file> DEPENDS <targets> OUTPUT <bin> ARGS <elf2image args...>)
#   wraps a host executable into an ESP8266 image with our own elf2image.
function(ota_image target)
    cmake_parse_arguments(I "" "ELF;OUTPUT" "DEPENDS;ARGS" ${ARGN})
    if(OTA8266_TOOL)
        set(_tool ${OTA8266_TOOL})
        set(_tool_dep "")
    else()
        set(_tool $<TARGET_FILE:ota8266>)
        set(_tool_dep ota8266)
    endif()
    add_custom_command(OUTPUT ${I_OUTPUT}
        COMMAND ${_tool} elf2image ${I_ARGS} -o ${I_OUTPUT} ${I_ELF}
        DEPENDS ${_tool_dep} ${I_DEPENDS}
        COMMENT "elf2image ${I_OUTPUT}")
    add_custom_target(${target} ALL DEPENDS ${I_OUTPUT})
endfunction()

# ota_device_lib(<lib> <out_var>): the library as a device image links it.
#   A sanitized build (OTA8266_SANITIZE) instruments every host program: the
#   tools, the simulator, the harness and all unit tests. A device image is
#   firmware: like the bootloader it is built as for the device, and an
#   instrumented one would not fit its slot (simple_ota: ~1 MB > 0xF0000).
#   So an app links <lib>_device, the same sources and settings compiled
#   without sanitizers, and so on down its dependencies.
function(ota_device_lib lib out)
    set(${out} ${lib} PARENT_SCOPE)
    if(NOT OTA8266_SANITIZE OR NOT TARGET ${lib})
        return()
    endif()
    get_target_property(_type ${lib} TYPE)
    get_target_property(_imported ${lib} IMPORTED)
    if(_imported OR NOT _type STREQUAL "STATIC_LIBRARY")
        return()
    endif()
    set(_dev ${lib}_device)
    if(NOT TARGET ${_dev})
        get_target_property(_srcs ${lib} SOURCES)
        get_target_property(_dir ${lib} SOURCE_DIR)
        set(_abs "")
        foreach(_s ${_srcs})
            if(NOT IS_ABSOLUTE ${_s})
                set(_s ${_dir}/${_s})
            endif()
            list(APPEND _abs ${_s})
        endforeach()
        add_library(${_dev} STATIC ${_abs})
        # generated sources (esp_err_to_name.c) are made by the original's rules
        get_target_property(_gen_dir ${lib} BINARY_DIR)
        foreach(_s ${_abs})
            string(FIND ${_s} ${_gen_dir} _in_build)
            if(_in_build EQUAL 0)
                set_source_files_properties(${_s} PROPERTIES GENERATED TRUE)
            endif()
        endforeach()
        add_dependencies(${_dev} ${lib})
        target_include_directories(${_dev}
            PUBLIC $<TARGET_PROPERTY:${lib},INTERFACE_INCLUDE_DIRECTORIES>
            PRIVATE $<TARGET_PROPERTY:${lib},INCLUDE_DIRECTORIES>)
        target_compile_definitions(${_dev}
            PUBLIC $<TARGET_PROPERTY:${lib},INTERFACE_COMPILE_DEFINITIONS>
            PRIVATE $<TARGET_PROPERTY:${lib},COMPILE_DEFINITIONS>)
        get_target_property(_opts ${lib} COMPILE_OPTIONS)
        if(_opts)
            target_compile_options(${_dev} PRIVATE ${_opts})
        endif()
        target_compile_options(${_dev} PRIVATE -fno-sanitize=all)
        get_target_property(_libs ${lib} LINK_LIBRARIES)
        if(_libs)
            set(_mapped "")
            foreach(_l ${_libs})
                ota_device_lib(${_l} _m)
                list(APPEND _mapped ${_m})
            endforeach()
            target_link_libraries(${_dev} PUBLIC ${_mapped})
        endif()
    endif()
    set(${out} ${_dev} PARENT_SCOPE)
endfunction()

# ota_app(NAME <project> SRCS <files...> [VERSION <ver>] [APP_OFFSET <hex>]
#         [FLASH_SIZE <size>] [DEPS <libs...>] [OUTPUT_DIR <dir>]
#         [EMBED_TXTFILES <files...>])
#   builds an app for the virtual device (<project>.elf, with its app
#   descriptor) and its V3 image <project>.bin, linked for APP_OFFSET's
#   1 MB window as the SDK links apps for their slot.
function(ota_app)
    cmake_parse_arguments(A "" "NAME;VERSION;APP_OFFSET;FLASH_SIZE;OUTPUT_DIR" "SRCS;DEPS;EMBED_TXTFILES" ${ARGN})
    if(NOT A_VERSION)
        set(A_VERSION "1")
    endif()
    if(NOT A_APP_OFFSET)
        set(A_APP_OFFSET 0x10000)
    endif()
    if(NOT A_FLASH_SIZE)
        set(A_FLASH_SIZE ${OTA8266_FLASH_SIZE})
    endif()
    if(NOT A_OUTPUT_DIR)
        set(A_OUTPUT_DIR ${CMAKE_CURRENT_BINARY_DIR})
    endif()
    set(_exe ${A_NAME}_elf)
    set(_embedded "")
    foreach(_f ${A_EMBED_TXTFILES})
        ota_embed_txtfile(${_f} _obj)
        list(APPEND _embedded ${_obj})
    endforeach()
    add_executable(${_exe} ${A_SRCS} ${OTA8266_ROOT}/components/esp_system/app/esp_app_desc.c ${_embedded})
    set_target_properties(${_exe} PROPERTIES OUTPUT_NAME ${A_NAME}.elf
                          RUNTIME_OUTPUT_DIRECTORY ${A_OUTPUT_DIR})
    target_compile_definitions(${_exe} PRIVATE PROJECT_NAME="${A_NAME}" PROJECT_VER="${A_VERSION}"
                               OTA8266_IDF_VER="${OTA8266_IDF_VER}")
    # A firmware image carries no symbols (the SDK .bin has none either).
    # -z now: the host's dynamic linker binds every library call as the app
    # starts, not at its first use; a chip's firmware has nothing to bind, and
    # lazily bound, the first TLS handshake paid ~1-2 ms for it (bench).
    target_link_options(${_exe} PRIVATE -Wl,-z,noseparate-code -Wl,-z,now -s)
    set(_deps "")
    foreach(_d esp_system ${A_DEPS})
        ota_device_lib(${_d} _m)
        list(APPEND _deps ${_m})
    endforeach()
    target_link_libraries(${_exe} PRIVATE ${_deps})
    if(OTA8266_SANITIZE)
        target_compile_options(${_exe} PRIVATE -fno-sanitize=all)
        target_link_options(${_exe} PRIVATE -fno-sanitize=all)
    endif()
    ota_image(${A_NAME}_bin ELF $<TARGET_FILE:${_exe}> DEPENDS ${_exe}
        OUTPUT ${A_OUTPUT_DIR}/${A_NAME}.bin
        ARGS --version 3 --flash_mode ${OTA8266_FLASH_MODE} --flash_freq ${OTA8266_FLASH_FREQ}
             --flash_size ${A_FLASH_SIZE}
             --app-offset ${A_APP_OFFSET})
endfunction()

# ota_embed_txtfile(<file> <out_var>): the SDK's COMPONENT_EMBED_TXTFILES. The
# file's bytes plus a NUL become _binary_<name>_start / _end, as objcopy names them.
function(ota_embed_txtfile file out)
    get_filename_component(_name ${file} NAME)
    string(MAKE_C_IDENTIFIER ${_name} _sym)
    set(_s ${CMAKE_CURRENT_BINARY_DIR}/embed_${_sym}.S)
    file(WRITE ${_s}
        ".section .rodata.embedded\n"
        ".global _binary_${_sym}_start\n.global _binary_${_sym}_end\n"
        "_binary_${_sym}_start:\n.incbin \"${file}\"\n.byte 0\n_binary_${_sym}_end:\n"
        ".section .note.GNU-stack,\"\",@progbits\n")
    set_source_files_properties(${_s} PROPERTIES OBJECT_DEPENDS ${file} LANGUAGE C)
    set(${out} ${_s} PARENT_SCOPE)
endfunction()
