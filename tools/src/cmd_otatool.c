/* Placeholder: being written. */
#include "cli.h"
#include "commands.h"

int cmd_read_otadata(int argc, char **argv)
{
    (void)argc;
    return cli_fail(argv[0], "not implemented yet");
}

int cmd_switch_ota_partition(int argc, char **argv)
{
    (void)argc;
    return cli_fail(argv[0], "not implemented yet");
}

int cmd_erase_otadata(int argc, char **argv)
{
    (void)argc;
    return cli_fail(argv[0], "not implemented yet");
}

