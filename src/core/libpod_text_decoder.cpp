// SPDX-License-Identifier: MIT OR Apache-2.0
// The libpod pull body, with and without pullProgress (docs/podman.md describes both). One
// line is one JSON object; every field is optional (podman omits empty ones), so each line is
// read for what it carries:
//   stream         text for a person; split into lines. Ignored when pullProgress is there:
//                  it then only restates the blob event ("Pulling artifact").
//   pullProgress   {status, current, total, progressComponentID} -> BlobEvent
//   error          -> FailedEvent, classified by classify_podman_failure
//   id / images    -> CompletedEvent (id, or the first of images when id is absent), unless
//                  status says otherwise
//   status         "pulling" / "success" / "error": the fields above carry the meaning; status
//                  only vetoes a completion that is not "success", and {"status":"error"}
//                  without a message is still a failure.
// At most one of FailedEvent and CompletedEvent comes from a line; an error wins.
// A JSON null counts as an absent field. Unknown fields are ignored, so are unknown
// pullProgress statuses (a newer podman may add some; they carry nothing we can report).
#include "libpod_text_decoder.hpp"

#include "error.hpp"
#include "ndjson_fields.hpp"

#include <boost/json.hpp>

namespace podpull {
namespace {

namespace json = boost::json;
using ndjson::byte_count_field;
using ndjson::field;
using ndjson::malformed;
using ndjson::size_field;
using ndjson::string_field;
using ndjson::view;

void add_blob_event(std::string_view line, const json::value &progress_value,
                    std::vector<PullEvent> &out) {
    const json::object *progress = progress_value.if_object();
    if (progress == nullptr)
        malformed(line, "\"pullProgress\" is not an object");
    const json::string *status = string_field(line, *progress, "status");
    const json::string *id = string_field(line, *progress, "progressComponentID");
    if (status == nullptr)
        malformed(line, "\"pullProgress\" has no status");
    if (id == nullptr || id->empty())
        malformed(line, "\"pullProgress\" has no progressComponentID");

    BlobEvent event;
    event.id = std::string(view(*id));
    event.current = byte_count_field(line, *progress, "current");
    event.total = size_field(line, *progress, "total");
    if (*status == "pulling")
        event.phase = event.current ? BlobPhase::progressing : BlobPhase::started;
    else if (*status == "success")
        event.phase = BlobPhase::finished;
    else if (*status == "skipped")
        event.phase = BlobPhase::skipped;
    else
        return;
    out.push_back(std::move(event));
}

std::optional<std::string> completed_image_id(std::string_view line, const json::object &object) {
    const json::string *id = string_field(line, object, "id");
    std::optional<std::string> first_image;
    if (const json::value *images = field(object, "images")) {
        const json::array *list = images->if_array();
        if (list == nullptr)
            malformed(line, "\"images\" is not an array");
        for (const json::value &image : *list) {
            if (!image.is_string())
                malformed(line, "\"images\" holds a value that is not a string");
            if (!first_image && !image.get_string().empty())
                first_image = std::string(view(image.get_string()));
        }
    }
    if (id != nullptr && !id->empty())
        return std::string(view(*id));
    return first_image;
}

} // namespace

void decode_libpod_line(std::string_view line, std::vector<PullEvent> &out) {
    const json::value parsed = ndjson::parse_object(line);
    const json::object *object = &parsed.get_object();

    // Everything is read (and so checked) before anything is appended: a malformed line adds
    // no events.
    const json::string *status = string_field(line, *object, "status");
    const json::string *stream = string_field(line, *object, "stream");
    const json::string *message = string_field(line, *object, "error");
    const json::value *progress = field(*object, "pullProgress");
    const auto image_id = completed_image_id(line, *object);

    std::vector<PullEvent> events;
    if (progress != nullptr)
        add_blob_event(line, *progress, events);
    else if (stream != nullptr)
        ndjson::add_text_lines(view(*stream), events);

    if (message != nullptr && !message->empty()) {
        const std::string_view text = view(*message);
        events.push_back(FailedEvent{classify_podman_failure(text), one_line(text)});
    } else if (status != nullptr && *status == "error") {
        events.push_back(
            FailedEvent{ErrorCode::pull, "podman reported an error without a message"});
    } else if (image_id && (status == nullptr || *status == "success")) {
        // The final report. A line that says it is still pulling is not one, whatever else it
        // holds (Docker's jsonmessage lines carry an "id" too).
        events.push_back(CompletedEvent{*image_id});
    }
    out.insert(out.end(), std::make_move_iterator(events.begin()),
               std::make_move_iterator(events.end()));
}

} // namespace podpull
