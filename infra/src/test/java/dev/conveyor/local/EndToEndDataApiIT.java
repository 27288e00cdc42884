package dev.conveyor.local;

/** {@link EndToEndIT} with the functions on the RDS Data API store: the same platform, the same answers. */
@OnStore("dataapi")
class EndToEndDataApiIT extends EndToEndIT {
}
