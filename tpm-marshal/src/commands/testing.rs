//! Part 3, 4 Admin testing.

use crate::SizedBuffer;

command!(
    /// Part 3, 4.1 TPM_SelfTestFull: tests every TPM function now.
    SelfTestFull = TPM_ORD_SelfTestFull, (), 0, (), 0
);

command!(
    /// Part 3, 4.2 TPM_ContinueSelfTest: tests the functions not covered at start-up.
    ContinueSelfTest = TPM_ORD_ContinueSelfTest, (), 0, (), 0
);

tpm_struct! {
    /// Part 3, 4.3 TPM_GetTestResult outgoing parameters.
    pub struct GetTestResultOut = "TPM_GetTestResult out" {
        /// `outDataSize` and `outData`: vendor-specific self-test results.
        pub out_data: SizedBuffer,
    }
}

command!(
    /// Part 3, 4.3 TPM_GetTestResult: the vendor-specific outcome of the last self-test.
    GetTestResult = TPM_ORD_GetTestResult, (), 0, GetTestResultOut, 0
);

#[cfg(test)]
mod tests {
    use super::*;

    round_trip_tests! {
        get_test_result_out_round_trips: GetTestResultOut,
    }

    #[test]
    fn get_test_result_out_byte_picture() {
        byte_picture!(
            GetTestResultOut,
            [0, 0, 0, 2, 0xAB, 0xCD], // outDataSize 2, outData
            GetTestResultOut {
                out_data: SizedBuffer(vec![0xAB, 0xCD])
            }
        );
    }
}
