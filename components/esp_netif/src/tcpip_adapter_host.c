/* The TCP/IP adapter of the virtual device: addresses only (see tcpip_adapter.h). */
#include "esp_netif.h"

#include <pthread.h>

ESP_EVENT_DEFINE_BASE(IP_EVENT);

static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static tcpip_adapter_ip_info_t s_ip_info[TCPIP_ADAPTER_IF_MAX];

void tcpip_adapter_init(void)
{
    /* Nothing to start: the device's sockets are the host's. */
}

esp_err_t tcpip_adapter_get_ip_info(tcpip_adapter_if_t tcpip_if, tcpip_adapter_ip_info_t *ip_info)
{
    if ((unsigned)tcpip_if >= TCPIP_ADAPTER_IF_MAX || !ip_info) {
        return ESP_ERR_INVALID_ARG;
    }
    pthread_mutex_lock(&s_lock);
    *ip_info = s_ip_info[tcpip_if];
    pthread_mutex_unlock(&s_lock);
    return ESP_OK;
}

esp_err_t tcpip_adapter_set_ip_info(tcpip_adapter_if_t tcpip_if,
                                    const tcpip_adapter_ip_info_t *ip_info)
{
    if ((unsigned)tcpip_if >= TCPIP_ADAPTER_IF_MAX || !ip_info) {
        return ESP_ERR_INVALID_ARG;
    }
    pthread_mutex_lock(&s_lock);
    s_ip_info[tcpip_if] = *ip_info;
    pthread_mutex_unlock(&s_lock);
    return ESP_OK;
}

esp_err_t esp_netif_init(void)
{
    tcpip_adapter_init();
    return ESP_OK;
}

esp_err_t esp_netif_deinit(void)
{
    return ESP_OK;
}
