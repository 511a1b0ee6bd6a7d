// libFuzzer harness: FuzzEntry.envelope over each input. Built and run by Fuzz/run.sh.
@_spi(Fuzzing) import PuenteKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    FuzzEntry.envelope(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
