// Package tblog writes and reads TensorBoard event files
// (events.out.tfevents.*) with the standard library only.
//
// An event file is a sequence of TFRecords. Each record is
//
//	uint64 length (little-endian)
//	uint32 masked CRC-32C of the 8 length bytes
//	length bytes of data: a protobuf-encoded tensorflow.Event
//	uint32 masked CRC-32C of the data
//
// where the masked CRC is ((crc >> 15) | (crc << 17)) + 0xa282ead8 over the
// Castagnoli polynomial, as in TensorFlow's tensorflow/core/lib/io/record_writer.cc
// and TensorBoard's tensorboard/data/server/masked_crc.rs.
//
// The Event messages are hand-encoded in the protobuf wire format; only the
// fields a scalar logger needs are written (see
// tensorboard/compat/proto/event.proto and summary.proto):
//
//	Event:         wall_time double = 1; step int64 = 2;
//	               file_version string = 3; summary Summary = 5
//	Summary:       repeated Value value = 1
//	Summary.Value: tag string = 1; simple_value float = 2
//
// A Writer is meant for one goroutine. ReadScalars reads files written by
// this package or by TensorFlow/PyTorch/TensorBoard writers, verifying both
// CRCs of every record and returning the simple_value scalars.
package tblog
