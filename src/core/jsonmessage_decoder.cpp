// SPDX-License-Identifier: MIT OR Apache-2.0
// What podman sends in this format, read in containers/podman (upstream source, not run here):
//   - pkg/api/handlers/compat/images.go, CreateImageFromImage (v4.0.0 to v4.7.x inline, then
//     utils.CompatPull in pkg/api/handlers/utils/images.go, which compatMode uses too): a
//     progress event becomes "Pulling fs layer" (new artifact), "Downloading" (read; current is
//     the offset, total the artifact's size, -1 when unknown), "Already exists" (skipped) or
//     "Download complete" (done), with id = the blob digest's first 12 hex digits.
//   - The last line of a success is {"status":"Download complete","progressDetail":{},
//     "id":<first 12 hex of the image ID>} (v4.0 to v4.7 write "Pull complete" instead when the
//     request path is a libpod one). There is no full image ID anywhere in the body.
//   - A failure is {"progressDetail":{},"errorDetail":{"message":M},"error":M}. From 6.x the
//     deprecated "error" (and "progress") are left out for API versions >= 1.52, and a libpod
//     path counts as such: only errorDetail.message is certain.
//   - From 4.7 a failure before any progress is answered with a non-2xx status and a bare
//     {"message":M} body (jsonstream.Error). The I/O shell hands such a body to http_failure;
//     should one arrive in a 2xx body anyway, it is a failure too.
//   - Go's encoder leaves out zero numbers and empty strings (omitempty): "current" is absent
//     at offset 0, "total" when the size is 0.
// Docker itself also sends "Waiting", "Verifying Checksum", "Extracting", "Pull complete",
// "Retrying in N seconds" and id-less lines ("Digest: sha256:...", "Status: Downloaded newer
// image for ..."). podman never does, but they are read sensibly:
//   - "Waiting": the blob is known, no bytes yet -> started.
//   - "Pull complete": the blob is stored -> finished (a repeat after "Download complete"
//     changes nothing in the tracker).
//   - "Verifying Checksum", "Extracting", "Retrying...", and any other status with an id: no
//     event. Extracting's numbers count unpacked bytes, not transferred ones, and must not
//     move a blob's progress; the others say nothing the blob's state does not.
//   - A status without an id, or one that starts with "Pulling from " (Docker keys that line
//     by the tag): a StatusEvent with its text.
//   - "stream" text (Docker's build output): StatusEvents, as on the libpod route.
// Unknown fields ("progress", "aux", ...) are ignored; a JSON null counts as absent.
#include "jsonmessage_decoder.hpp"

#include "error.hpp"
#include "ndjson_fields.hpp"

#include <fmt/format.h>

#include <array>

namespace podpull {
namespace {

namespace json = boost::json;
using ndjson::malformed;
using ndjson::string_field;
using ndjson::view;

enum class Meaning { start, bytes, finish, skip, none };

struct StatusMeaning {
    std::string_view status;
    Meaning meaning;
};

constexpr std::array<StatusMeaning, 6> blob_statuses{{
    {"Pulling fs layer", Meaning::start},
    {"Waiting", Meaning::start},
    {"Downloading", Meaning::bytes},
    {"Download complete", Meaning::finish},
    {"Pull complete", Meaning::finish},
    {"Already exists", Meaning::skip},
}};

Meaning meaning_of(std::string_view status) {
    for (const auto &[known, meaning] : blob_statuses) {
        if (known == status)
            return meaning;
    }
    return Meaning::none;
}

// The failure a line reports, or nullopt. errorDetail is the structured form; "error" and a
// bare "message" carry the same text in older or shorter lines.
std::optional<FailedEvent> failure(std::string_view line, const json::object &object) {
    const json::object *detail = ndjson::object_field(line, object, "errorDetail");
    const json::string *detail_message =
        detail != nullptr ? string_field(line, *detail, "message") : nullptr;
    const json::string *error = string_field(line, object, "error");
    const json::string *message = string_field(line, object, "message");
    for (const json::string *text : {detail_message, error, message}) {
        if (text != nullptr && !text->empty())
            return FailedEvent{classify_podman_failure(view(*text)), one_line(view(*text))};
    }
    if (detail != nullptr) // an errorDetail is a failure even when it says nothing
        return FailedEvent{ErrorCode::pull, "podman reported an error without a message"};
    return std::nullopt;
}

std::optional<BlobEvent> blob_event(std::string_view line, const json::object &object,
                                    std::string_view status, const json::string *id) {
    const Meaning meaning = meaning_of(status);
    if (meaning == Meaning::none)
        return std::nullopt;
    if (id == nullptr || id->empty())
        malformed(line, fmt::format("status \"{}\" without an id", status));

    BlobEvent event;
    event.id = std::string(view(*id));
    if (const json::object *detail = ndjson::object_field(line, object, "progressDetail")) {
        event.current = ndjson::byte_count_field(line, *detail, "current");
        event.total = ndjson::size_field(line, *detail, "total");
    }
    switch (meaning) {
    case Meaning::start:
        event.phase = BlobPhase::started;
        break;
    case Meaning::bytes:
        // "current" is left out at offset 0: that is a start that knows its size.
        event.phase = event.current ? BlobPhase::progressing : BlobPhase::started;
        break;
    case Meaning::finish:
        event.phase = BlobPhase::finished;
        break;
    case Meaning::skip:
        event.phase = BlobPhase::skipped;
        break;
    case Meaning::none:
        break;
    }
    return event;
}

} // namespace

void decode_jsonmessage_line(std::string_view line, std::vector<PullEvent> &out) {
    const json::value parsed = ndjson::parse_object(line);
    const json::object &object = parsed.get_object();

    // Everything is read (and so checked) before anything is appended: a malformed line adds
    // no events.
    const json::string *status = string_field(line, object, "status");
    const json::string *id = string_field(line, object, "id");
    const json::string *stream = string_field(line, object, "stream");
    auto failed = failure(line, object);

    std::vector<PullEvent> events;
    if (stream != nullptr)
        ndjson::add_text_lines(view(*stream), events);
    if (failed) {
        // podman's failure lines carry nothing else; whatever status one had would be news
        // about a pull that is over.
        events.push_back(std::move(*failed));
    } else if (status != nullptr && !status->empty()) {
        const std::string_view text = view(*status);
        const bool keyed = id != nullptr && !id->empty();
        if (auto blob = blob_event(line, object, text, id)) {
            events.push_back(std::move(*blob));
        } else if (!keyed || text.starts_with("Pulling from ")) {
            ndjson::add_text_lines(text, events);
        }
    }
    out.insert(out.end(), std::make_move_iterator(events.begin()),
               std::make_move_iterator(events.end()));
}

} // namespace podpull
