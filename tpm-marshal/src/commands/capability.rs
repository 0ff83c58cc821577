//! Part 3, 7 Capability commands.

use crate::{CapabilityArea, SetCapabilityArea, SizedBuffer, Version};

tpm_struct! {
    /// Part 3, 7.1 TPM_GetCapability incoming parameters.
    pub struct GetCapabilityIn = "TPM_GetCapability in" {
        /// `capArea`.
        pub cap_area: CapabilityArea,
        /// `subCapSize` and `subCap`: usually a UINT32 (a property, ordinal, handle ...),
        /// sometimes a structure; its meaning depends on `capArea`.
        pub sub_cap: SizedBuffer,
    }
}

tpm_struct! {
    /// Part 3, 7.1 TPM_GetCapability outgoing parameters.
    pub struct GetCapabilityOut = "TPM_GetCapability out" {
        /// `respSize` and `resp`: the answer, laid out as `capArea` says.
        pub resp: SizedBuffer,
    }
}

command!(
    /// Part 3, 7.1 TPM_GetCapability: reports a capability, property or flag set.
    GetCapability = TPM_ORD_GetCapability, GetCapabilityIn, 0, GetCapabilityOut, 0
);

tpm_struct! {
    /// Part 3, 7.2 TPM_SetCapability incoming parameters.
    pub struct SetCapabilityIn = "TPM_SetCapability in" {
        /// `capArea`: which structure holds the value.
        pub cap_area: SetCapabilityArea,
        /// `subCapSize` and `subCap`: which field (a UINT32 such as TPM_PF_READPUBEK).
        pub sub_cap: SizedBuffer,
        /// `setValueSize` and `setValue`: the new value.
        pub set_value: SizedBuffer,
    }
}

command!(
    /// Part 3, 7.2 TPM_SetCapability: sets one flag or data field (owner auth or physical
    /// presence, as the field requires).
    SetCapability = TPM_ORD_SetCapability, SetCapabilityIn, 0, (), 0
);

tpm_struct! {
    /// Part 3, 7.3 TPM_GetCapabilityOwner outgoing parameters.
    pub struct GetCapabilityOwnerOut = "TPM_GetCapabilityOwner out" {
        /// `version`.
        pub version: Version,
        /// `non_volatile_flags`: TPM_PERMANENT_FLAGS as a bit map, first flag in bit 0.
        pub non_volatile_flags: u32,
        /// `volatile_flags`: TPM_STCLEAR_FLAGS as a bit map, first flag in bit 0.
        pub volatile_flags: u32,
    }
}

command!(
    /// Part 3, 7.3 TPM_GetCapabilityOwner: the owner reads every flag as two bit maps.
    GetCapabilityOwner = TPM_ORD_GetCapabilityOwner, (), 0, GetCapabilityOwnerOut, 0
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framing::{CommandFrame, ResponseFrame};
    use crate::{CapProperty, Command, Marshal, ReturnCode, Unmarshal};

    round_trip_tests! {
        get_capability_in_round_trips: GetCapabilityIn,
        get_capability_out_round_trips: GetCapabilityOut,
        set_capability_in_round_trips: SetCapabilityIn,
        get_capability_owner_out_round_trips: GetCapabilityOwnerOut,
    }

    #[test]
    fn get_capability_property_frame_byte_picture() {
        let input = GetCapabilityIn {
            cap_area: CapabilityArea::TPM_CAP_PROPERTY,
            sub_cap: SizedBuffer(CapProperty::TPM_CAP_PROP_PCR.0.to_be_bytes().to_vec()),
        };
        let bytes: [u8; 22] = [
            0x00, 0xC1, // tag TPM_TAG_RQU_COMMAND
            0x00, 0x00, 0x00, 0x16, // paramSize 22
            0x00, 0x00, 0x00, 0x65, // ordinal TPM_ORD_GetCapability
            0x00, 0x00, 0x00, 0x05, // capArea TPM_CAP_PROPERTY
            0x00, 0x00, 0x00, 0x04, // subCapSize 4
            0x00, 0x00, 0x01, 0x01, // subCap TPM_CAP_PROP_PCR
        ];
        let frame =
            CommandFrame::encode(GetCapability::ORDINAL, &input.to_bytes().unwrap(), &[]).unwrap();
        assert_eq!(frame, bytes);
        let parsed = CommandFrame::parse(&bytes).unwrap();
        assert_eq!(parsed.ordinal, GetCapability::ORDINAL);
        assert_eq!(GetCapabilityIn::from_bytes(parsed.body).unwrap(), input);
    }

    #[test]
    fn get_capability_response_byte_picture() {
        let bytes: [u8; 18] = [
            0x00, 0xC4, // tag TPM_TAG_RSP_COMMAND
            0x00, 0x00, 0x00, 0x12, // paramSize 18
            0x00, 0x00, 0x00, 0x00, // returnCode TPM_SUCCESS
            0x00, 0x00, 0x00, 0x04, // respSize 4
            0x00, 0x00, 0x00, 0x18, // resp: 24 PCRs
        ];
        let parsed = ResponseFrame::parse(&bytes).unwrap();
        assert_eq!(parsed.return_code, ReturnCode::TPM_SUCCESS);
        let out = GetCapabilityOut::from_bytes(parsed.body).unwrap();
        assert_eq!(out.resp.0, [0, 0, 0, 24]);
        assert_eq!(
            ResponseFrame::encode(ReturnCode::TPM_SUCCESS, &out.to_bytes().unwrap(), &[]).unwrap(),
            bytes
        );
    }

    #[test]
    fn set_capability_in_byte_picture() {
        byte_picture!(
            SetCapabilityIn,
            [
                0x00, 0x00, 0x00, 0x01, // capArea TPM_SET_PERM_FLAGS
                0x00, 0x00, 0x00, 0x04, // subCapSize 4
                0x00, 0x00, 0x00, 0x04, // subCap TPM_PF_READPUBEK
                0x00, 0x00, 0x00, 0x01, // setValueSize 1
                0x00, // setValue FALSE
            ],
            SetCapabilityIn {
                cap_area: SetCapabilityArea::TPM_SET_PERM_FLAGS,
                sub_cap: SizedBuffer(vec![0, 0, 0, 4]),
                set_value: SizedBuffer(vec![0]),
            }
        );
    }
}
