// Demo assets drawn by the project itself (no third-party photo): a front-facing person
// in a short-sleeved top and trousers, and three product shots on a studio-grey
// background — a striped top, trousers and a dress — so a fresh install has something
// to try on. Deterministic PNG bytes, 768x1024 like the VITON-HD samples.
//
// Pure functions: thread-safe.
#pragma once

#include <string>

#include "tierscope/tryon/tryon_types.h"

namespace tierscope::tryon {

std::string demo_person_png();
std::string demo_garment_png(Category category);

}  // namespace tierscope::tryon
