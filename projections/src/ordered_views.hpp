#pragma once
// Views kept by id with an order index by (created, id) beside them.

#include <unordered_map>

#include "belay/projections/state_store.hpp"

namespace belay::projections::detail {

template <class View, class Order>
void insert_ordered(std::unordered_map<entity_id, View>& views, Order& order, View v) {
    order.emplace(std::make_pair(v.created, v.id), v.id);
    auto id = v.id;
    views.insert_or_assign(id, std::move(v));
}

template <class View, class Order>
void erase_ordered(std::unordered_map<entity_id, View>& views, Order& order, entity_id id) {
    auto it = views.find(id);
    if (it == views.end()) return;
    order.erase(std::make_pair(it->second.created, id));
    views.erase(it);
}

// Walks `order` newest first (or oldest first), collecting the views that
// `keep` accepts into a page.
template <class View, class Order, class Keep>
page<View> collect(const std::unordered_map<entity_id, View>& views, const Order& order,
                   bool newest_first, std::size_t offset, std::size_t limit, Keep&& keep) {
    page<View> out;
    auto visit = [&](const auto& entry) {
        const auto& v = views.at(entry.second);
        if (!keep(v)) return;
        if (out.total >= offset && out.items.size() < limit) out.items.push_back(v);
        ++out.total;
    };
    if (newest_first)
        for (auto it = order.rbegin(); it != order.rend(); ++it)
            visit(*it);
    else
        for (const auto& entry : order)
            visit(entry);
    return out;
}

}  // namespace belay::projections::detail
