# The server's CA certificate is embedded, NUL-terminated, as
# _binary_ca_cert_pem_start / _binary_ca_cert_pem_end.
COMPONENT_EMBED_TXTFILES := ${PROJECT_PATH}/server_certs/ca_cert.pem
