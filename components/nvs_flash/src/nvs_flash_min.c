/* nvs_flash without a store: the partition is found and erased, nothing more. */
#include "nvs_flash.h"

#include <pthread.h>
#include <stdbool.h>

#include "esp_partition.h"

/* The SDK's NVS_DEFAULT_PART_NAME. */
#define NVS_DEFAULT_PART_NAME "nvs"

static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static bool s_inited;

static const esp_partition_t *nvs_partition(void)
{
    return esp_partition_find_first(ESP_PARTITION_TYPE_DATA, ESP_PARTITION_SUBTYPE_DATA_NVS,
                                    NVS_DEFAULT_PART_NAME);
}

esp_err_t nvs_flash_init(void)
{
    if (!nvs_partition()) {
        return ESP_ERR_NOT_FOUND;
    }
    pthread_mutex_lock(&s_lock);
    s_inited = true;
    pthread_mutex_unlock(&s_lock);
    return ESP_OK;
}

esp_err_t nvs_flash_deinit(void)
{
    pthread_mutex_lock(&s_lock);
    esp_err_t err = s_inited ? ESP_OK : ESP_ERR_NVS_NOT_INITIALIZED;
    s_inited = false;
    pthread_mutex_unlock(&s_lock);
    return err;
}

esp_err_t nvs_flash_erase(void)
{
    const esp_partition_t *part = nvs_partition();
    if (!part) {
        return ESP_ERR_NOT_FOUND;
    }
    /* The SDK deinitialises first; an erase under an open store would corrupt it. */
    (void)nvs_flash_deinit(); /* not being initialised is fine here */
    return esp_partition_erase_range(part, 0, part->size);
}
