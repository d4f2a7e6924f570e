// The Node peers the cloud tests share, started with every endpoint and
// credential given explicitly (docs/testing.md):
//   s3rver   S3 (GetObject/Range/ListObjectsV2), credentials S3RVER/S3RVER,
//            path-style URLs; signatures are not checked.
//   azurite  Azure Blob (page blobs, Get Page Ranges, SharedKey and SAS, both
//            checked), account devstoreaccount1 with its well-known key;
//            telemetry off.
//   aws      ours (tests/peers/aws/aws_peer.cjs): EC2 Query, EBS direct and
//            S3 objects, every request's SigV4 signature checked with
//            @smithy/signature-v4; the state file names the credentials,
//            instances and the images behind their volumes.
#pragma once

#include "node_peer.hpp"

namespace hypersdk::test {

NodePeerOptions s3rver_peer();
NodePeerOptions azurite_peer();
NodePeerOptions aws_peer(const std::filesystem::path& state_file);

// Azurite's development account, as Microsoft documents it.
inline constexpr const char* kAzuriteAccount = "devstoreaccount1";

// tests/peers in the source tree (the Node scripts).
std::filesystem::path peer_scripts_dir();

}  // namespace hypersdk::test
