#include "belay/engine/payloads.hpp"

namespace belay::engine {

entity_id deletions_stream() {
    // A fixed id of its own (version 4 layout, otherwise zero): no entity gets it.
    static const entity_id id = *entity_id::parse("00000000-0000-4000-8000-000000000001");
    return id;
}

std::string deletion_payload(entity_id deleted) {
    return "{\"id\":\"" + deleted.to_string() + "\"}";
}

std::optional<entity_id> parse_deletion(std::string_view payload) {
    constexpr std::string_view head = "{\"id\":\"", tail = "\"}";
    if (payload.size() != head.size() + 36 + tail.size() || !payload.starts_with(head) ||
        !payload.ends_with(tail))
        return std::nullopt;
    return entity_id::parse(payload.substr(head.size(), 36));
}

}  // namespace belay::engine
