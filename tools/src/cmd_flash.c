/* Placeholder: being written. */
#include "cli.h"
#include "commands.h"

int cmd_write_flash(int argc, char **argv)
{
    (void)argc;
    return cli_fail(argv[0], "not implemented yet");
}

int cmd_read_flash(int argc, char **argv)
{
    (void)argc;
    return cli_fail(argv[0], "not implemented yet");
}

int cmd_erase_flash(int argc, char **argv)
{
    (void)argc;
    return cli_fail(argv[0], "not implemented yet");
}

int cmd_erase_region(int argc, char **argv)
{
    (void)argc;
    return cli_fail(argv[0], "not implemented yet");
}

