// libyaml (from libyaml-dev; libyaml-0-2 at run time): a real YAML parser for kubeconfig files,
// without pulling Foundation into every step binary as a Swift YAML library would.
#ifndef CYAML_SHIM_H
#define CYAML_SHIM_H
#include <yaml.h>
#endif
