/* version.h — the one place the version is written. */
#ifndef CONNLINT_VERSION_H
#define CONNLINT_VERSION_H
#define CONNLINT_VERSION "0.1.0"
#define CONNLINT_INFORMATION_URI "https://github.com/connlint/connlint"
#endif
