# A throwaway CA/server certificate for the top-level builds of the OTA
# examples and the tests that serve them: CN and SAN "localhost" (Debian's
# mbedTLS 2.x never matches IP SANs, as the device's 2.16 does not).
find_program(OPENSSL_BIN openssl REQUIRED)
set(OTA8266_TEST_CERT_DIR ${CMAKE_BINARY_DIR}/test_certs)
set(OTA8266_TEST_CA ${OTA8266_TEST_CERT_DIR}/ca_cert.pem)
set(OTA8266_TEST_KEY ${OTA8266_TEST_CERT_DIR}/ca_key.pem)
add_custom_command(OUTPUT ${OTA8266_TEST_CA} ${OTA8266_TEST_KEY}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${OTA8266_TEST_CERT_DIR}
    COMMAND ${OPENSSL_BIN} req -x509 -newkey rsa:2048 -nodes -keyout ${OTA8266_TEST_KEY}
            -out ${OTA8266_TEST_CA} -days 3650 -subj /CN=localhost
            -addext subjectAltName=DNS:localhost 2>/dev/null
    COMMENT "Making the test server certificate")
add_custom_target(test_certs DEPENDS ${OTA8266_TEST_CA} ${OTA8266_TEST_KEY})
