#ifndef DOSECURATE_CHDF5_SHIM_H
#define DOSECURATE_CHDF5_SHIM_H
#include <hdf5.h>

// HDF5's type and property-list identifiers are macros that expand to global variables
// initialised by H5open(); Swift cannot import them, so each gets a function here.
static inline hid_t dc_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t dc_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t dc_h5t_native_uint8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t dc_h5t_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t dc_h5t_c_s1(void) { return H5T_C_S1; }
static inline hid_t dc_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t dc_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t dc_h5s_all(void) { return H5S_ALL; }
static inline size_t dc_h5t_variable(void) { return H5T_VARIABLE; }
static inline hid_t dc_h5e_default(void) { return H5E_DEFAULT; }
static inline unsigned dc_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned dc_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned dc_h5f_acc_rdwr(void) { return H5F_ACC_RDWR; }
#endif
