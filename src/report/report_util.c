/* report_util.c — helpers shared by the output formats: URI encoding,
 * GitHub escaping, and the "is this finding shown" rule (paths are spelt
 * by path_display in cli/glob.c).
 * See report_util.h. No format-specific layout lives here. */
#include "report/report_util.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

bool report_is_shown(const Finding *f)
{
    if (f->suppressed) return false;
    return f->baseline != BASELINE_UNCHANGED && f->baseline != BASELINE_ABSENT;
}

static bool uri_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
}

char *uri_encode_path(const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    StrBuf sb;
    sb_init(&sb);
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if (uri_unreserved(*p)) {
            sb_append_char(&sb, (char)*p);
        } else {
            char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            sb_append_n(&sb, esc, 3);
        }
    }
    return sb_take(&sb);
}

static char *github_escape(const char *s, bool property)
{
    StrBuf sb;
    sb_init(&sb);
    for (const char *p = s ? s : ""; *p; p++) {
        switch (*p) {
        case '%': sb_append(&sb, "%25"); break;
        case '\r': sb_append(&sb, "%0D"); break;
        case '\n': sb_append(&sb, "%0A"); break;
        case ':': sb_append(&sb, property ? "%3A" : ":"); break;
        case ',': sb_append(&sb, property ? "%2C" : ","); break;
        default: sb_append_char(&sb, *p); break;
        }
    }
    return sb_take(&sb);
}

char *github_escape_data(const char *s)
{
    return github_escape(s, false);
}

char *github_escape_property(const char *s)
{
    return github_escape(s, true);
}
