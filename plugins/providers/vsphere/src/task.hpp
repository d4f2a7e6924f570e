// Waiting for a vSphere Task (PowerOffVM_Task, ...) to finish, bounded and
// cancellable, and the power operations built on it.
#pragma once

#include <chrono>
#include <functional>

#include "session.hpp"

namespace hypersdk::vsphere {

using CancelCheck = std::function<bool()>;

// Polls the task's info.state until success; a task error becomes an Error
// naming the fault; Error(timeout) after `limit`, Error(cancelled) when
// `cancelled` says so.
void wait_for_task(Session& session, const MoRef& task, std::chrono::milliseconds limit,
                   const CancelCheck& cancelled = {});

// PowerOffVM_Task and wait. A VM already powered off is not an error.
void power_off_vm(Session& session, const MoRef& vm,
                  std::chrono::milliseconds limit = std::chrono::minutes(5),
                  const CancelCheck& cancelled = {});

}  // namespace hypersdk::vsphere
