/*
 * What a loadc client mode prints when it ends.
 */
#ifndef LOADC_REPORT_H
#define LOADC_REPORT_H

#include "loadc_client.h"

/* How many of the run's connections ended with res. */
unsigned loadc_report_count(const struct loadc_run *r,
                            enum loadc_result res);

/* Prints the mode's final line; returns its exit status. `said`: the
 * mode's mid-run line ("held", "blocked") was printed. */
int loadc_report_end(const struct loadc_run *r, int said);

#endif
