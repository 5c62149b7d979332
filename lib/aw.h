/* AquaWatch library: everything shared by the aw-* tools. */
#ifndef AW_H
#define AW_H
#include "aw_util.h"
#include "aw_time.h"
#include "aw_record.h"
#include "aw_cli.h"
#include "aw_config.h"
#endif
