/* textscan.h — what each source file's text mentions, before any parsing:
 * the identifiers of the file and of the project headers it includes
 * (resolved through its own folder and its -I / -iquote / -include flags,
 * transitively), for the pre-filter that decides which files can change a
 * result. A file is "unsure" when its text cannot be read that way (an
 * unreadable file, an #include of a macro, a header that cannot be read,
 * token pasting `##` anywhere in its text or its headers, an include flag
 * it does not understand): the pre-filter then parses it. Angle or quote
 * includes found in none of those folders are system headers (their
 * functions are not analysed). Reads files only; knows nothing of C beyond
 * identifiers, comments-as-text and #include lines. */
#ifndef CONNLINT_TEXTSCAN_H
#define CONNLINT_TEXTSCAN_H

#include <stdbool.h>

typedef struct TextIndex TextIndex;

/* files[i] is read with compiler arguments args[i] (nargs[i] of them);
 * relative include folders are taken from `cwd`. */
TextIndex *textindex_build(char *const *files, int n_files, char **const *args, const int *nargs,
                           const char *cwd);

bool textindex_unsure(const TextIndex *ix, int file);

/* The files whose text (own or included) holds the identifier `word`
 * (NULL, *n = 0 when none). */
const int *textindex_files_mentioning(const TextIndex *ix, const char *word, int *n);

/* The files that may define a function named `word`: their own text
 * mentions it, or a header they include does and that header may hold a
 * function body (a '{' after a ')', or a '{' in a macro). A name declared
 * in a header of prototypes only is not defined by every includer. */
const int *textindex_files_may_define(const TextIndex *ix, const char *word, int *n);

void textindex_free(TextIndex *ix);

#endif
