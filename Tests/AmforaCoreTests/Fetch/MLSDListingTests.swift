import Testing
@testable import AmforaCore

@Suite struct MLSDListingTests {
    func parse(_ text: String) -> Listing { MLSDListing.parse(Array(text.utf8)) }

    @Test func readsFactsAndNames() {
        let listing = parse("""
        modify=20241108041500;perm=r;size=12345;type=file;unique=fe00gf7e591; AMFORA_101_20241108.txt\r
        type=dir;modify=20241101000000;perm=el; old\r
        type=cdir;perm=el; /out\r
        type=pdir;perm=el; ..\r
        Type=File;Size=7;Modify=20241108041501.250; name with spaces; and semicolon.txt\r

        """)
        #expect(listing.unparsed == [])
        #expect(listing.entries == [
            RemoteEntry(name: "AMFORA_101_20241108.txt", kind: .file, size: 12345, modified: 1_731_039_300),
            RemoteEntry(name: "old", kind: .directory, size: nil, modified: 1_730_419_200),
            RemoteEntry(name: "name with spaces; and semicolon.txt", kind: .file, size: 7, modified: 1_731_039_301),
        ])
    }

    @Test func lfOnlyAndOtherTypes() {
        let listing = parse("type=OS.unix=slink:/etc/passwd;size=11; link\ntype=file;size=1; a\n")
        #expect(listing.entries.map(\.kind) == [.other("os.unix=slink:/etc/passwd"), .file])
    }

    @Test func linesThatAreNotEntriesAreKeptForTheReport() {
        // A name with a line feed splits into a short entry and a stray line.
        let listing = parse("type=file;size=3; evil\nAMFORA_101_20241108.txt\r\n")
        #expect(listing.entries.map(\.name) == ["evil"])
        #expect(listing.unparsed == ["AMFORA_101_20241108.txt"])
        #expect(parse("garbage-without-facts; x\r\n").unparsed.count == 1)
    }

    @Test func controlCharactersSurviveIntoTheNameForTheSafetyCheck() {
        let listing = parse("type=file;size=3; bad\u{7}name.txt\r\r\n")
        #expect(listing.entries.map(\.name) == ["bad\u{7}name.txt\r"])
    }

    @Test func ftpTimes() {
        #expect(FTPTime.epochSeconds("19700101000000") == 0)
        #expect(FTPTime.epochSeconds("20241108041500") == 1_731_039_300)
        #expect(FTPTime.epochSeconds("20241108041500.999") == 1_731_039_300)
        #expect(FTPTime.epochSeconds("20240230000000") == nil)
        #expect(FTPTime.epochSeconds("2024110804150") == nil)
        #expect(FTPTime.epochSeconds("20241108241500") == nil)
    }
}
