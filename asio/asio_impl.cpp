// The compiled parts of Asio and Beast, built once for every binary
// (BOOST_ASIO_SEPARATE_COMPILATION and BOOST_BEAST_SEPARATE_COMPILATION come
// with the belay_asio target).

#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
