#pragma once
/*
 * The slice of the SDK's tcpip_adapter.h the examples use. The virtual
 * device has no lwIP: its sockets are the host's, on the loopback
 * interface, so the adapter only keeps each interface's address (which the
 * Wi-Fi driver sets when the station gets its IP) and owns IP_EVENT.
 */
#include <stdbool.h>
#include <stdint.h>

#include "esp_err.h"
#include "esp_event_base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* lwIP's IPv4 address: network byte order, so its bytes read in dotted order. */
typedef struct {
    uint32_t addr;
} ip4_addr_t;

#define ip4_addr1(a) (((const uint8_t *)(&(a)->addr))[0])
#define ip4_addr2(a) (((const uint8_t *)(&(a)->addr))[1])
#define ip4_addr3(a) (((const uint8_t *)(&(a)->addr))[2])
#define ip4_addr4(a) (((const uint8_t *)(&(a)->addr))[3])
#define ip4_addr1_16(a) ((uint16_t)ip4_addr1(a))
#define ip4_addr2_16(a) ((uint16_t)ip4_addr2(a))
#define ip4_addr3_16(a) ((uint16_t)ip4_addr3(a))
#define ip4_addr4_16(a) ((uint16_t)ip4_addr4(a))

#define IP2STR(ipaddr)                                                                             \
    ip4_addr1_16(ipaddr), ip4_addr2_16(ipaddr), ip4_addr3_16(ipaddr), ip4_addr4_16(ipaddr)
#define IPSTR "%d.%d.%d.%d"

typedef enum {
    TCPIP_ADAPTER_IF_STA = 0,
    TCPIP_ADAPTER_IF_AP,
    TCPIP_ADAPTER_IF_MAX
} tcpip_adapter_if_t;

typedef struct {
    ip4_addr_t ip;
    ip4_addr_t netmask;
    ip4_addr_t gw;
} tcpip_adapter_ip_info_t;

ESP_EVENT_DECLARE_BASE(IP_EVENT);

typedef enum {
    IP_EVENT_STA_GOT_IP,
    IP_EVENT_STA_LOST_IP,
    IP_EVENT_AP_STAIPASSIGNED,
    IP_EVENT_GOT_IP6,
} ip_event_t;

/* Data of IP_EVENT_STA_GOT_IP. */
typedef struct {
    tcpip_adapter_if_t if_index;
    tcpip_adapter_ip_info_t ip_info;
    bool ip_changed;
} ip_event_got_ip_t;

/* Readies the adapter; the SDK starts lwIP's tcpip task here. Idempotent. */
void tcpip_adapter_init(void);

/**
 * The interface's address, netmask and gateway (all zero until it has one).
 * @return ESP_OK; ESP_ERR_INVALID_ARG for a bad interface or NULL.
 */
esp_err_t tcpip_adapter_get_ip_info(tcpip_adapter_if_t tcpip_if, tcpip_adapter_ip_info_t *ip_info);

/**
 * Records the interface's address (the Wi-Fi driver calls it on connect and
 * disconnect; the SDK's DHCP client does it there).
 * @return ESP_OK; ESP_ERR_INVALID_ARG for a bad interface or NULL.
 */
esp_err_t tcpip_adapter_set_ip_info(tcpip_adapter_if_t tcpip_if,
                                    const tcpip_adapter_ip_info_t *ip_info);

#ifdef __cplusplus
}
#endif
