// What an export leaves in the account is removed whatever happens: the
// snapshots of ebs-direct (unless --keep-snapshots) and the export task and
// its S3 object (the task cancelled while it runs; the object deleted
// unless --keep-intermediate), on success, failure and Ctrl-C alike.
// Destructors never throw: what cannot be removed is logged with its id
// (snapshots also carry the hypersdk:export tag, so leftovers can be found).
#pragma once

#include <hypersdk/cxx/plugin.hpp>

#include <string>
#include <vector>

#include "ec2.hpp"
#include "s3.hpp"

namespace hypersdk::aws::plugin {

class SnapshotCleanup {
public:
    SnapshotCleanup(Ec2& ec2, bool keep) : ec2_(ec2), keep_(keep) {}
    ~SnapshotCleanup() { finish(); }
    SnapshotCleanup(const SnapshotCleanup&) = delete;
    SnapshotCleanup& operator=(const SnapshotCleanup&) = delete;

    void adopt(const std::vector<Snapshot>& snapshots) {
        for (const auto& s : snapshots) ids_.push_back(s.id);
    }
    // Deletes them now (unless kept). Returns the ids it could not delete.
    std::vector<std::string> finish() noexcept {
        std::vector<std::string> left;
        if (keep_) return left;
        for (const auto& id : ids_) {
            try {
                ec2_.delete_snapshot(id);
                cxx::log(HYPERSDK_LOG_INFO, "deleted snapshot " + id);
            } catch (const std::exception& e) {
                cxx::log(HYPERSDK_LOG_WARN,
                         "could not delete snapshot " + id + ": " + e.what() +
                             "; delete it yourself (aws ec2 delete-snapshot --snapshot-id " + id + ")");
                left.push_back(id);
            }
        }
        ids_.clear();
        return left;
    }
    const std::vector<std::string>& ids() const { return ids_; }

private:
    Ec2& ec2_;
    bool keep_;
    std::vector<std::string> ids_;
};

class ExportTaskCleanup {
public:
    ExportTaskCleanup(Ec2& ec2, S3& s3, bool keep_object) : ec2_(ec2), s3_(s3), keep_object_(keep_object) {}
    ~ExportTaskCleanup() { finish(); }
    ExportTaskCleanup(const ExportTaskCleanup&) = delete;
    ExportTaskCleanup& operator=(const ExportTaskCleanup&) = delete;

    void adopt(const ExportTask& task) { task_ = task; }
    void completed() { completed_ = true; }

    // Cancels the task if it did not complete and deletes its object unless
    // kept. Returns false when something was left behind.
    bool finish() noexcept {
        if (task_.id.empty()) return true;
        bool clean = true;
        if (!completed_) {
            try {
                ec2_.cancel_export_task(task_.id);
                cxx::log(HYPERSDK_LOG_INFO, "cancelled export task " + task_.id);
            } catch (const Error& e) {
                if (e.kind() !=
                    ErrorKind::invalid_state) {  // already completed or cancelled: nothing to stop
                    cxx::log(HYPERSDK_LOG_WARN, "could not cancel export task " + task_.id + ": " + e.what());
                    clean = false;
                }
            } catch (const std::exception& e) {
                cxx::log(HYPERSDK_LOG_WARN, "could not cancel export task " + task_.id + ": " + e.what());
                clean = false;
            }
        }
        if (!keep_object_ && !task_.s3_key.empty()) {
            try {
                s3_.delete_object(task_.s3_bucket, task_.s3_key);
                cxx::log(HYPERSDK_LOG_DEBUG, "deleted s3://" + task_.s3_bucket + "/" + task_.s3_key);
            } catch (const Error& e) {
                if (e.kind() != ErrorKind::not_found) {  // a cancelled task may have written nothing
                    cxx::log(HYPERSDK_LOG_WARN, "could not delete s3://" + task_.s3_bucket + "/" +
                                                    task_.s3_key + ": " + e.what());
                    clean = false;
                }
            } catch (const std::exception& e) {
                cxx::log(HYPERSDK_LOG_WARN, std::string("could not delete the exported object: ") + e.what());
                clean = false;
            }
        }
        task_ = {};
        return clean;
    }

private:
    Ec2& ec2_;
    S3& s3_;
    bool keep_object_;
    ExportTask task_;
    bool completed_ = false;
};

}  // namespace hypersdk::aws::plugin
