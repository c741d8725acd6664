/* fine.c — output-test project: parses and has no finding. */
int fine(int x)
{
    return x + 1;
}
