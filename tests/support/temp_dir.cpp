#include "temp_dir.hpp"

#include <stdlib.h>
#include <stdexcept>

namespace belay::test {

temp_dir::temp_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "belay-test-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
}

temp_dir::~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

}  // namespace belay::test
