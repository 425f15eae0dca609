/*
 * page_health.h - the health table of the overview (page_health.c).
 */
#ifndef TANDEM_WEB_PAGE_HEALTH_H
#define TANDEM_WEB_PAGE_HEALTH_H

#include "buf.h"

/* <table id="health">: a row per check, the worst first. */
void health_table(struct buf *b);

#endif
