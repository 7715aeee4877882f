// expect-error: mmiotree: an HDM decoder block has a decoder count the capability register can encode
// expect-error-gnu: In instantiation of .struct mmiotree::v0::cxl::diag::decoder_count_not_encodable<3, mmiotree::v0::cxl::decoder_kind::device>
// expect-error-clang: in instantiation of template class .mmiotree::cxl::diag::decoder_count_not_encodable<3, mmiotree::cxl::decoder_kind::device>
// max-lines-gnu: 13
// max-lines-clang: 23
//
// Rule (cxl/hdm_decoder.hpp): the HDM Decoder Capability register encodes 1, 2, 4, 6, 8 or 10
// decoders for a device (12 to 32 only for switches and host bridges): 3 has no encoding.
#include <mmiotree/cxl/hdm_decoder.hpp>

#ifdef MMIOTREE_CF_POSITIVE
mmiotree::cxl::hdm_decoders<4> hdm;
#else
mmiotree::cxl::hdm_decoders<3> hdm;
#endif
