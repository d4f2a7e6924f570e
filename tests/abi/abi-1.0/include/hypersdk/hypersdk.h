/* hypersdk: everything a plugin needs, in one include. */
#ifndef HYPERSDK_H
#define HYPERSDK_H

#include "converter.h"
#include "host.h"
#include "plugin.h"
#include "provider.h"
#include "types.h"
#include "version.h"

#endif /* HYPERSDK_H */
