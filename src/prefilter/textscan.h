/* textscan.h — what each source file's text says, before any parsing, for
 * the pre-filter (prefilter.h): the identifiers it MENTIONS (outside
 * comments and string literals) in its own text and in the project headers
 * it includes, and the functions its own text DEFINES at file scope. A
 * name a header only declares (`T name(...);` at file scope, however
 * often, and the words of such prototypes' parameter lists) is no mention
 * of that header: an includer calls it by naming it
 * in its own text, or through a macro or inline body, which count.
 *
 * Project headers are the #include'd files found in the including file's
 * folder (quote includes), its -iquote and -I folders, and its -include /
 * -imacros files, transitively; anything found in none of them is a system
 * header (its functions are not analysed) and is not read.
 *
 * A definition is, outside any brace, an identifier followed by a balanced
 * parenthesised group and then `{` — possibly after attribute groups or
 * K&R parameter declarations (`int f(a) int a; {`). Over-approximations
 * where the text is unsure: an ALL-CAPS identifier followed by a group at
 * file scope (a macro that may generate a function) makes every identifier
 * in the group "defined" too. A header's definitions are kept apart
 * (textindex_header_definitions): every file including the header has
 * them, so one includer is enough to see them.
 *
 * Neither are a label (`name:` after `;`, `{` or `}`; `goto name`), nor a
 * member (`s.name`, `p->name`: listed apart, for the packs' members).
 * The name a `#define` defines is no mention (naming a macro calls
 * nothing; using it is a mention where it is used).
 *
 * Token pasting makes names that appear in no text: a file whose code (its
 * own or its headers', outside preprocessor lines) invokes a macro that
 * pastes (`##` in its body, or a body naming such a macro) may mention,
 * and define, any name made of two to four words it mentions
 * (textindex_may_paste).
 *
 * A file is "unsure" — the pre-filter then always parses it — when its text
 * cannot be read this way: unreadable, holding a NUL byte or larger than
 * TEXTSCAN_MAX_BYTES, an `#include` of a macro, a `#include "quoted"`
 * header found in none of its folders (missing: the parse would report
 * it), braces that do not balance (`#if` branches opening a body twice),
 * an unreadable project header, or an include flag it does not
 * understand. Reads files
 * only; knows nothing of C beyond tokens, braces and #include lines. */
#ifndef CONNLINT_TEXTSCAN_H
#define CONNLINT_TEXTSCAN_H

#include <stdbool.h>

#define TEXTSCAN_MAX_BYTES (16 * 1024 * 1024)

typedef struct TextIndex TextIndex;

/* files[i] is read with compiler arguments args[i] (nargs[i] of them);
 * relative include folders are taken from `cwd`. */
TextIndex *textindex_build(char *const *files, int n_files, char **const *args, const int *nargs,
                           const char *cwd);

bool textindex_unsure(const TextIndex *ix, int file);

/* The files whose text (own or included) mentions the identifier `word`
 * (NULL, *n = 0 when none), ascending. */
const int *textindex_files_mentioning(const TextIndex *ix, const char *word, int *n);

/* Does the file or a header it includes paste tokens (`##`)? */
bool textindex_pastes(const TextIndex *ix, int file);

/* May the file's macros paste `word` together from words it mentions
 * (false for a file that pastes nothing)? */
bool textindex_may_paste(const TextIndex *ix, int file, const char *word);

/* The files whose text (own or included) may write the variable `word`:
 * `word =`, a compound assignment, `++`/`--`, or `&word` (over-approximated:
 * after any `&`, `+` or `-`). */
const int *textindex_files_writing(const TextIndex *ix, const char *word, int *n);

/* The files that use `word` as a member (`s.word`, `p->word`): no mention
 * of a function or variable of that name, but of a pack's member. */
const int *textindex_files_naming_member(const TextIndex *ix, const char *word, int *n);

/* The files whose own text defines a function `word` (may define it). */
const int *textindex_files_defining(const TextIndex *ix, const char *word, int *n);

/* For each project header that defines `word`: `each` gets the files that
 * include it (directly or not). */
void textindex_header_definitions(const TextIndex *ix, const char *word,
                                  void (*each)(const int *files, int n, void *data), void *data);

/* Every identifier any text mentions. */
void textindex_each_word(const TextIndex *ix, void (*fn)(const char *word, void *data), void *data);

void textindex_free(TextIndex *ix);

#endif
