// The compiled parts of Asio and Beast for binaries that use belay::client
// without belay::transport, which holds its own copy (a binary links
// exactly one). BOOST_ASIO_SEPARATE_COMPILATION and
// BOOST_BEAST_SEPARATE_COMPILATION are defined for every file of the client.

#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
