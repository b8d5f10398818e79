#pragma once
// Lets Catch2 print boost::system::result in assertion messages.

#include <catch2/catch_tostring.hpp>

#include <boost/system/result.hpp>

namespace Catch {

template <class T>
struct StringMaker<boost::system::result<T>> {
    static std::string convert(const boost::system::result<T>& r) {
        return r ? std::string("a value") : "error: " + r.error().message();
    }
};

template <class T>
struct StringMaker<boost::system::result<T, std::string>> {
    static std::string convert(const boost::system::result<T, std::string>& r) {
        return r ? std::string("a value") : "error: " + r.error();
    }
};

}  // namespace Catch
