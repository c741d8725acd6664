/* test_columns.c — byte columns to UTF-16 columns (filter_columns.c):
 * ASCII unchanged, 2- and 3-byte characters count one unit, 4-byte ones
 * (outside the BMP) two, on the right line; an unreadable file or a column
 * past the line's end leaves the column unknown (0). */
#include <stdlib.h>
#include <unistd.h>

#include "filter/filter.h"
#include "unit.h"
#include "common/util.h"

static Finding finding_at(const char *file, int line, int col, int end_col)
{
    Finding f = {0};
    f.rule = "connection-leak";
    f.loc = findingloc_make(file, line, col, line, end_col, NULL);
    f.n_related = 1;
    f.related = xcalloc(1, sizeof(FindingLoc));
    f.related[0] = findingloc_make(file, 1, 3, 1, 4, "x");
    return f;
}

int main(void)
{
    char path[] = "/tmp/connlint-columns-XXXXXX";
    int fd = mkstemp(path);
    /* line 1: ASCII; line 2: "é" (2 bytes) "€" (3 bytes) "😀" (4 bytes) then x */
    const char text[] = "int a;\n\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\" x;\n";
    CHECK(fd >= 0 && write(fd, text, sizeof text - 1) == (ssize_t)(sizeof text - 1));
    close(fd);

    FindingList list = {0};
    Finding f = finding_at(path, 2, 13, 14); /* the 'x': byte 13 */
    findings_add(&list, &f);
    f = finding_at(path, 1, 5, 6);
    findings_add(&list, &f);
    f = finding_at(path, 2, 40, 41); /* past the end of the line */
    findings_add(&list, &f);
    f = finding_at("/nonexistent/connlint/file.c", 1, 5, 6);
    findings_add(&list, &f);
    utf16_columns_assign(&list);

    /* '"' 1 unit, é 1, € 1, 😀 2, '"' 1, ' ' 1: x is unit 8 */
    CHECK(list.items[0].loc.col16 == 8);
    CHECK(list.items[0].loc.end_col16 == 9);
    CHECK(list.items[0].related[0].col16 == 3);
    CHECK(list.items[1].loc.col16 == 5 && list.items[1].loc.end_col16 == 6);
    CHECK(list.items[2].loc.col16 == 0);
    CHECK(list.items[3].loc.col16 == 0 && list.items[3].related[0].col16 == 0);
    findings_free(&list);
    unlink(path);
    UNIT_MAIN_END();
}
