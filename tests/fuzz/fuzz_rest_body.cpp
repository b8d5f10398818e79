// Fuzzes REST body validation (rest_validate.hpp). The first byte picks the
// resource and the write mode; the rest is the body. An accepted body must
// turn into a JSON payload; a refused one into a JSON error.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

#include "belay/engine/payloads.hpp"
#include "belay/engine/rest_validate.hpp"
#include "belay/engine/validate.hpp"

namespace {

using namespace belay::engine;

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "fuzz_rest_body: %s\n", what);
    std::abort();
}

template <class Fields>
void check(const body_result<Fields>& r) {
    if (auto* e = std::get_if<body_error>(&r)) {
        if (e->detail.empty() && e->fields.empty()) fail("an error with neither detail nor fields");
        if (!is_valid_json(to_json(*e))) fail("to_json(body_error) is not valid JSON");
        return;
    }
    if (!is_valid_json(to_payload(std::get<Fields>(r)))) fail("to_payload is not valid JSON");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    auto mode = static_cast<write_mode>(data[0] % 3);
    std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
    switch ((data[0] / 3) % 4) {
        case 0:
            check(validate_session_body(body, mode, 1760895877187000));
            break;
        case 1:
            check(validate_recording_body(body, mode));
            break;
        case 2:
            check(validate_route_body(body, mode));
            break;
        default:
            check(validate_user_body(body, mode));
            break;
    }
    return 0;
}
