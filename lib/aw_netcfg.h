/* The network a tool works on, put together from the configuration: the EPANET model, the
 * asset register, the configured sensors and the DMAs derived with the configured inlets. */
#ifndef AW_NETCFG_H
#define AW_NETCFG_H
#include "aw_config.h"
#include "aw_net.h"

/* inp and assets override the configuration's network and assets (NULL: use those).
 * Without sensors in the configuration, sensors come from the .inp comments. Returns NULL
 * after reporting when there is no network or it cannot be read. */
struct aw_net *aw_net_from_config(const struct aw_config *cfg, const char *inp, const char *assets);
#endif
