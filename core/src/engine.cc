#include "tierscope/engine.h"

#include <algorithm>

namespace tierscope {

Engine::Engine(EngineOptions options)
    : origin_(std::make_shared<SimulatedOrigin>(options.origin)), demo_namespace_(options.demo_namespace) {
  for (NamespaceOptions& ns : options.cache.namespaces) {
    if (!ns.loader) ns.loader = origin_;
  }
  const auto& names = options.cache.namespaces;
  if (std::none_of(names.begin(), names.end(), [&](const NamespaceOptions& n) { return n.name == demo_namespace_; })) {
    throw std::invalid_argument("demo namespace '" + demo_namespace_ + "' is not a cache namespace");
  }
  cache_ = std::make_unique<TieredCache>(std::move(options.cache));
}

}  // namespace tierscope
