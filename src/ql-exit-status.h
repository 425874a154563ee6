/* ql-exit-status.h: the exit statuses of quote-ledger, as its man page lists them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

enum
{
  QL_EXIT_OK = 0,       /* success, including end of input */
  QL_EXIT_FAILURE = 1,  /* the database or quotes file could not be used */
  QL_EXIT_USAGE = 2,    /* the command line was wrong */
};
