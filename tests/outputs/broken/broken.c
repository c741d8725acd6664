/* broken.c — output-test project: does not parse, so the SARIF run lists it
 * under invocations[0].toolExecutionNotifications. */
int broken(void)
{
    return 1 +;
}
