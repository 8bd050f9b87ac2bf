/* The default event loop: errors without a loop, order, groups, unregister, data copies. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "esp_event.h"
#include "freertos/event_groups.h"

ESP_EVENT_DEFINE_BASE(TEST_A);
ESP_EVENT_DEFINE_BASE(TEST_B);

#define DONE_BIT (1u << 0)
#define LAST_ID 999 /* posted last: its handler signals DONE_BIT */
#define MAX_CALLS 128

/* What the handlers saw, in order. */
typedef struct {
    char who;
    esp_event_base_t base;
    int32_t id;
    int32_t data;
    pthread_t thread;
} call_t;

static call_t s_calls[MAX_CALLS];
static int s_ncalls;
static EventGroupHandle_t s_done;
static pthread_mutex_t s_calls_lock = PTHREAD_MUTEX_INITIALIZER;

static void record(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    pthread_mutex_lock(&s_calls_lock);
    if (s_ncalls < MAX_CALLS) {
        s_calls[s_ncalls++] = (call_t){.who = *(const char *)arg,
                                       .base = base,
                                       .id = id,
                                       .data = data ? *(const int32_t *)data : -1,
                                       .thread = pthread_self()};
    }
    pthread_mutex_unlock(&s_calls_lock);
}

static void on_last(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    (void)arg;
    (void)base;
    (void)id;
    (void)data;
    xEventGroupSetBits(s_done, DONE_BIT);
}

/* Posts the marker event and waits until the loop has delivered everything before it. */
static void drain(void)
{
    assert_int_equal(esp_event_post(TEST_B, LAST_ID, NULL, 0, portMAX_DELAY), ESP_OK);
    EventBits_t bits = xEventGroupWaitBits(s_done, DONE_BIT, pdTRUE, pdTRUE, 500); /* 5 s */
    assert_int_equal(bits & DONE_BIT, DONE_BIT);
}

static int setup(void **state)
{
    (void)state;
    s_ncalls = 0;
    s_done = xEventGroupCreate();
    if (esp_event_loop_create_default() != ESP_OK) {
        return -1;
    }
    return esp_event_handler_register(TEST_B, LAST_ID, on_last, NULL) == ESP_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    vEventGroupDelete(s_done);
    return esp_event_loop_delete_default() == ESP_OK ? 0 : -1;
}

static void test_no_loop_is_invalid_state(void **state)
{
    (void)state;
    char a = 'a';
    assert_int_equal(esp_event_post(TEST_A, 1, NULL, 0, 0), ESP_ERR_INVALID_STATE);
    assert_int_equal(esp_event_handler_register(TEST_A, 1, record, &a), ESP_ERR_INVALID_STATE);
    assert_int_equal(esp_event_handler_unregister(TEST_A, 1, record), ESP_ERR_INVALID_STATE);
    assert_int_equal(esp_event_loop_delete_default(), ESP_ERR_INVALID_STATE);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    char a = 'a';
    assert_int_equal(esp_event_loop_create_default(), ESP_ERR_INVALID_STATE); /* one already */
    assert_int_equal(esp_event_handler_register(ESP_EVENT_ANY_BASE, 3, record, &a),
                     ESP_ERR_INVALID_ARG);
    assert_int_equal(esp_event_handler_register(TEST_A, 3, NULL, &a), ESP_ERR_INVALID_ARG);
    assert_int_equal(esp_event_handler_unregister(ESP_EVENT_ANY_BASE, 3, record), ESP_FAIL);
    assert_int_equal(esp_event_post(TEST_A, ESP_EVENT_ANY_ID, NULL, 0, 0), ESP_ERR_INVALID_ARG);
    assert_int_equal(esp_event_post(ESP_EVENT_ANY_BASE, 1, NULL, 0, 0), ESP_ERR_INVALID_ARG);
}

/* Events arrive in posting order, on the loop's task, with a copy of their data. */
static void test_order_and_copies(void **state)
{
    (void)state;
    char a = 'a';
    assert_int_equal(esp_event_handler_register(TEST_A, ESP_EVENT_ANY_ID, record, &a), ESP_OK);
    for (int32_t i = 0; i < 20; i++) {
        int32_t data = 100 + i;
        assert_int_equal(esp_event_post(TEST_A, i, &data, sizeof data, portMAX_DELAY), ESP_OK);
        data = -7; /* the loop must have its own copy */
    }
    drain();
    assert_int_equal(s_ncalls, 20);
    for (int i = 0; i < 20; i++) {
        assert_ptr_equal(s_calls[i].base, TEST_A);
        assert_int_equal(s_calls[i].id, i);
        assert_int_equal(s_calls[i].data, 100 + i);
        assert_false(pthread_equal(s_calls[i].thread, pthread_self()));
        char name[16] = "";
        pthread_getname_np(s_calls[i].thread, name, sizeof name);
        assert_string_equal(name, "sys_evt");
    }
}

/* For one event: any-base handlers, then any-id of the base, then the id; each by registration. */
static void test_handler_groups(void **state)
{
    (void)state;
    static char id1 = '1', id2 = '2', anyid = 'i', anybase = 'b', other = 'o';
    assert_int_equal(esp_event_handler_register(TEST_A, 5, record, &id1), ESP_OK);
    assert_int_equal(esp_event_handler_register(TEST_A, ESP_EVENT_ANY_ID, record, &anyid), ESP_OK);
    assert_int_equal(
        esp_event_handler_register(ESP_EVENT_ANY_BASE, ESP_EVENT_ANY_ID, record, &anybase), ESP_OK);
    assert_int_equal(esp_event_handler_register(TEST_A, 6, record, &other), ESP_OK);
    /* Same triple again: only the argument changes. */
    assert_int_equal(esp_event_handler_register(TEST_A, 5, record, &id2), ESP_OK);
    assert_int_equal(esp_event_post(TEST_A, 5, NULL, 0, portMAX_DELAY), ESP_OK);
    drain();
    /* The marker (TEST_B) also reaches the any-base handler. */
    const char expect[] = {'b', 'i', '2', 'b'};
    assert_int_equal(s_ncalls, 4);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(s_calls[i].who, expect[i]);
    }
    assert_ptr_equal(s_calls[3].base, TEST_B);
}

static void test_unregister_stops_delivery(void **state)
{
    (void)state;
    char a = 'a';
    assert_int_equal(esp_event_handler_register(TEST_A, 1, record, &a), ESP_OK);
    assert_int_equal(esp_event_post(TEST_A, 1, NULL, 0, portMAX_DELAY), ESP_OK);
    drain();
    assert_int_equal(esp_event_handler_unregister(TEST_A, 1, record), ESP_OK);
    assert_int_equal(esp_event_handler_unregister(TEST_A, 1, record), ESP_OK); /* not there: OK */
    assert_int_equal(esp_event_post(TEST_A, 1, NULL, 0, portMAX_DELAY), ESP_OK);
    drain();
    assert_int_equal(s_ncalls, 1);
}

static esp_err_t s_self_unregister_rc = ESP_FAIL;

/* Runs on the loop's task: results are checked by the test, not asserted here. */
static void unregister_self(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    record(arg, base, id, data);
    s_self_unregister_rc = esp_event_handler_unregister(TEST_A, 2, unregister_self);
}

/* A handler may unregister itself; it runs once, the handlers after it still run. */
static void test_unregister_from_handler(void **state)
{
    (void)state;
    static char self = 's', after = 'a';
    assert_int_equal(esp_event_handler_register(TEST_A, 2, unregister_self, &self), ESP_OK);
    assert_int_equal(esp_event_handler_register(TEST_A, 2, record, &after), ESP_OK);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(esp_event_post(TEST_A, 2, NULL, 0, portMAX_DELAY), ESP_OK);
    }
    drain();
    assert_int_equal(s_self_unregister_rc, ESP_OK);
    const char expect[] = {'s', 'a', 'a'};
    assert_int_equal(s_ncalls, 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(s_calls[i].who, expect[i]);
    }
}

static EventGroupHandle_t s_gate;

static void block_until_gate(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    (void)arg;
    (void)base;
    (void)id;
    (void)data;
    xEventGroupWaitBits(s_gate, DONE_BIT, pdTRUE, pdTRUE, portMAX_DELAY);
}

/* While the loop is busy, a full queue makes esp_event_post time out. */
static void test_full_queue_times_out(void **state)
{
    (void)state;
    s_gate = xEventGroupCreate();
    assert_int_equal(esp_event_handler_register(TEST_A, 3, block_until_gate, NULL), ESP_OK);
    assert_int_equal(esp_event_post(TEST_A, 3, NULL, 0, portMAX_DELAY), ESP_OK);
    esp_err_t err = ESP_OK;
    int posted = 0;
    /* One event may still be on its way to the handler: at most one more than the queue. */
    for (; posted <= ESP_EVENT_DEFAULT_QUEUE_SIZE + 1 && err == ESP_OK; posted++) {
        err = esp_event_post(TEST_A, 4, NULL, 0, 1);
    }
    assert_int_equal(err, ESP_ERR_TIMEOUT);
    assert_true(posted >= ESP_EVENT_DEFAULT_QUEUE_SIZE);
    xEventGroupSetBits(s_gate, DONE_BIT);
    drain();
    vEventGroupDelete(s_gate);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_loop_is_invalid_state),
        cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_order_and_copies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_handler_groups, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unregister_stops_delivery, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unregister_from_handler, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_queue_times_out, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
