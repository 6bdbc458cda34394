#pragma once
// `pbs-s3sync extract TARGET TYPE/ID/TIME ARCHIVE OUTPUT`: one archive of one complete remote
// snapshot straight from the bucket, no datastore and no PBS: a fixed index becomes the raw disk
// image, a dynamic index the archive's byte stream (pxar), a blob its decoded content (a VM's
// config). Everything is checked against the manifest and the chunk names before it is written;
// what cannot be is refused before OUTPUT is touched (no such snapshot or archive, a key that is
// missing or does not match).

#include <functional>
#include <memory>
#include <string>

#include "crypto/crypt_key.h"
#include "datastore/names.h"
#include "extract/extract_summary.h"
#include "extract/image_output.h"
#include "remote/remote.h"
#include "run/run_progress.h"
#include "thaw/thaw_request.h"
#include "transfer/request_interface.h"

namespace pbs::extract {

struct ExtractOptions {
  datastore::Namespace ns;
  std::string snapshot;  // TYPE/ID/TIME, or TYPE/ID/latest
  std::string archive;   // with or without .fidx / .didx / .blob
  std::string output;    // a file, a block device, or "-"
  OutputOptions output_options;
  std::shared_ptr<const crypto::CryptKey> key;  // an encrypted archive's key (null: none given)
  // Opens the key from the configuration, only when the archive turns out encrypted (null: none).
  std::function<Result<std::shared_ptr<const crypto::CryptKey>>()> open_key;
  bool dry_run = false;  // say what would be fetched; write nothing
  std::function<bool()> interrupted;
  std::function<void(const run::RunProgress&)> on_progress;
  thaw::ThawChoice thaw;  // chunks in an archive class
};

Result<ExtractSummary> run_extract(transfer::RequestInterface& requests, const remote::Remote& remote,
                                   const ExtractOptions& options);

}  // namespace pbs::extract
