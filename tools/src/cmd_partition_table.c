/* Placeholder: being written. */
#include "cli.h"
#include "commands.h"

int cmd_partition_table(int argc, char **argv)
{
    (void)argc;
    return cli_fail(argv[0], "not implemented yet");
}

