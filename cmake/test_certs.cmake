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

# A server certificate the devices' trusted certificate (CA:TRUE, as
# `req -x509` makes it) really signed, but for CN/SAN "wrong.example": a
# server presenting it fails only the host name check, not the chain.
set(OTA8266_TEST_WRONG_CERT ${OTA8266_TEST_CERT_DIR}/wrong_cert.pem)
set(OTA8266_TEST_WRONG_KEY ${OTA8266_TEST_CERT_DIR}/wrong_key.pem)
set(_wrong_csr ${OTA8266_TEST_CERT_DIR}/wrong.csr)
set(_wrong_ext ${OTA8266_TEST_CERT_DIR}/wrong.ext)
add_custom_command(OUTPUT ${OTA8266_TEST_WRONG_CERT} ${OTA8266_TEST_WRONG_KEY}
    COMMAND ${OPENSSL_BIN} req -new -newkey rsa:2048 -nodes -keyout ${OTA8266_TEST_WRONG_KEY}
            -out ${_wrong_csr} -subj /CN=wrong.example 2>/dev/null
    COMMAND ${CMAKE_COMMAND} -E echo "subjectAltName=DNS:wrong.example" > ${_wrong_ext}
    COMMAND ${CMAKE_COMMAND} -E echo "basicConstraints=CA:FALSE" >> ${_wrong_ext}
    # -set_serial: no ca_cert.srl is left beside the CA
    COMMAND ${OPENSSL_BIN} x509 -req -in ${_wrong_csr} -CA ${OTA8266_TEST_CA}
            -CAkey ${OTA8266_TEST_KEY} -set_serial 2 -days 3650 -extfile ${_wrong_ext}
            -out ${OTA8266_TEST_WRONG_CERT} 2>/dev/null
    DEPENDS ${OTA8266_TEST_CA} ${OTA8266_TEST_KEY}
    COMMENT "Making the test certificate for the wrong host name")

# A certificate the device's CA signed for localhost whose validity ended a
# day before it was made (-days -1): only the expiry check fails.
set(OTA8266_TEST_EXPIRED_CERT ${OTA8266_TEST_CERT_DIR}/expired_cert.pem)
set(OTA8266_TEST_EXPIRED_KEY ${OTA8266_TEST_CERT_DIR}/expired_key.pem)
set(_expired_csr ${OTA8266_TEST_CERT_DIR}/expired.csr)
set(_expired_ext ${OTA8266_TEST_CERT_DIR}/expired.ext)
add_custom_command(OUTPUT ${OTA8266_TEST_EXPIRED_CERT} ${OTA8266_TEST_EXPIRED_KEY}
    COMMAND ${OPENSSL_BIN} req -new -newkey rsa:2048 -nodes -keyout ${OTA8266_TEST_EXPIRED_KEY}
            -out ${_expired_csr} -subj /CN=localhost 2>/dev/null
    COMMAND ${CMAKE_COMMAND} -E echo "subjectAltName=DNS:localhost" > ${_expired_ext}
    COMMAND ${CMAKE_COMMAND} -E echo "basicConstraints=CA:FALSE" >> ${_expired_ext}
    COMMAND ${OPENSSL_BIN} x509 -req -in ${_expired_csr} -CA ${OTA8266_TEST_CA}
            -CAkey ${OTA8266_TEST_KEY} -set_serial 3 -days -1 -extfile ${_expired_ext}
            -out ${OTA8266_TEST_EXPIRED_CERT} 2>/dev/null
    DEPENDS ${OTA8266_TEST_CA} ${OTA8266_TEST_KEY}
    COMMENT "Making the expired test certificate")
add_custom_target(test_certs DEPENDS ${OTA8266_TEST_CA} ${OTA8266_TEST_KEY}
                                     ${OTA8266_TEST_WRONG_CERT} ${OTA8266_TEST_WRONG_KEY}
                                     ${OTA8266_TEST_EXPIRED_CERT} ${OTA8266_TEST_EXPIRED_KEY})
