// The compiled parts of Asio and Beast, built once here
// (BOOST_ASIO_SEPARATE_COMPILATION and BOOST_BEAST_SEPARATE_COMPILATION are
// defined for every file of transport).

#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
